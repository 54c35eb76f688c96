/* The assessment: placeholder until the catalog and engine land. */
#include "assess/assess.h"

#include <string.h>

void iota_assess_options_init(iota_assess_options *o)
{
	memset(o, 0, sizeof *o);
}

iota_rc iota_scan_assess(iota_scan *s, const iota_assess_options *o)
{
	(void)o;
	return iota_scan_fail(s, IOTA_FATAL, "the assessment is not available yet");
}

size_t iota_gate_reasons(const iota_scan *s)
{
	return s->assessment ? s->assessment->ngate_reasons : 0;
}

const char *iota_gate_reason(const iota_scan *s, size_t i)
{
	return s->assessment && i < s->assessment->ngate_reasons ? s->assessment->gate_reasons[i]
	                                                          : NULL;
}

const char *iota_verdict_name(iota_verdict v)
{
	static const char *const names[] = {"pass", "fail", "needs-evidence", "not-applicable",
	                                    "accepted"};
	return (unsigned)v < IOTA_VERDICT_COUNT ? names[v] : "?";
}
