/* Version ordering of embedded software (src/util/version.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/version.h"

static void lt(const char *a, const char *b)
{
	if (!(iota_version_cmp(a, b) < 0 && iota_version_cmp(b, a) > 0))
		fail_msg("expected %s < %s", a, b);
}

static void eq(const char *a, const char *b)
{
	if (iota_version_cmp(a, b) != 0 || iota_version_cmp(b, a) != 0)
		fail_msg("expected %s == %s", a, b);
}

static void test_plain(void **state)
{
	(void)state;
	lt("1.0", "1.0.1");
	lt("1.9", "1.10");
	lt("1.36.1", "1.37.0");
	lt("2.6.36", "4.14.90");
	eq("1.2.3", "1.2.3");
	eq("1_2_3", "1.2.3");
	eq("1-2-3", "1.2.3");
	eq("01.002", "1.2");
	lt("99999999999999999999", "100000000000000000000");
}

static void test_openssl_letters(void **state)
{
	(void)state;
	lt("1.0.2", "1.0.2a");
	lt("1.0.2k", "1.0.2u");
	lt("1.0.2zh", "1.1.0");
	lt("1.0.2z", "1.0.2za");
	lt("1.1.1w", "3.0.0");
	lt("0.9.8zh", "1.0.0");
}

static void test_openssh_dropbear_dates(void **state)
{
	(void)state;
	lt("9.2", "9.2p1");
	lt("9.2p1", "9.3p1");
	lt("8.9p1", "9.0p1");
	lt("2020.81", "2022.83");
	lt("2019.78", "2020.79");
	lt("20230101", "20230715");
}

static void test_prereleases(void **state)
{
	(void)state;
	lt("1.2.0-rc1", "1.2.0");
	lt("1.2.0rc1", "1.2.0rc2");
	lt("2.0beta2", "2.0");
	lt("2.0alpha", "2.0beta");
	lt("1.0~rc1", "1.0");
	lt("1.0~rc1", "1.0~rc2");
	lt("1.0.beta", "1.0.1");
	lt("2.0a1", "2.0");
	lt("3.1b2", "3.1");
	lt("2.0a1", "2.0b1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_openssl_letters),
		cmocka_unit_test(test_openssh_dropbear_dates),
		cmocka_unit_test(test_prereleases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
