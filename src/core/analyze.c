/* Running the analyzer table (see analyzer.h). */
#include "core/analyzer.h"

#include "core/limits.h"

void iota_analyze_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	size_t head = b->len < IOTA_PROBE_HEAD ? b->len : IOTA_PROBE_HEAD;
	for (const iota_analyzer *const *a = iota_analyzers; *a; a++) {
		if (!(*a)->run_file)
			continue;
		if ((*a)->wants && !(*a)->wants(n, b->data, head))
			continue;
		(*a)->run_file(s, n, b);
	}
}

void iota_analyze_tree(iota_scan *s)
{
	for (const iota_analyzer *const *a = iota_analyzers; *a; a++)
		if ((*a)->run_tree)
			(*a)->run_tree(s);
}
