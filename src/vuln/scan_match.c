/* Matching a scan's components against the vulnerability database:
 * placeholder until the scan-time matcher lands. */
#include "core/scan.h"
#include "iotaudit/vulndb.h"

iota_rc iota_scan_match(iota_scan *s, struct iota_vulndb *db)
{
	(void)db;
	return iota_scan_fail(s, IOTA_FATAL, "matching a scan is not available yet");
}
