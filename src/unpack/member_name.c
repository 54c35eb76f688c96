/*
 * Safe member names from header fields (see member_name.h).
 */
#include "unpack/member_name.h"

static bool keep(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-' || c == '@';
}

bool iota_member_name(const uint8_t *name, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	bool alnum = false;

	if (cap == 0)
		return false;
	for (size_t i = 0; i < len && name[i] && o + 1 < cap; i++) {
		uint8_t c = name[i];
		if (keep(c)) {
			out[o++] = (char)c;
			if (c != '.' && c != '_' && c != '+' && c != '-' && c != '@')
				alnum = true;
		} else if (o > 0 && out[o - 1] != '_') {
			out[o++] = '_';
		}
	}
	while (o > 0 && out[o - 1] == '_')
		o--;
	out[o] = '\0';
	if (!alnum) {
		out[0] = '\0';
		return false;
	}
	return true;
}
