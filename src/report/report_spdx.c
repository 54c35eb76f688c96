/* The spdx report writer: not written yet (placeholder so the dispatch links). */
#include "report/report.h"

iota_rc iota_report_spdx(iota_scan *s, FILE *out)
{
	(void)out;
	return iota_scan_fail(s, IOTA_FATAL, "the spdx report format is not available yet");
}
