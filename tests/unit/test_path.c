/* Unit tests: cleaning untrusted member names (src/util/path.h). */
#include <string.h>

#include "unit.h"
#include "util/path.h"

static int clean(const char *name, size_t len, char *out, size_t cap)
{
	return iota_path_clean(name, len, out, cap);
}

#define CLEAN(in, want, wflags)                                                                    \
	do {                                                                                       \
		char out_[256];                                                                    \
		int f_ = clean(in, strlen(in), out_, sizeof out_);                                 \
		assert_int_equal(f_, (wflags));                                                    \
		assert_string_equal(out_, (want));                                                 \
	} while (0)

static void test_plain(void **state)
{
	(void)state;
	CLEAN("usr/sbin/dropbear", "usr/sbin/dropbear", 0);
	CLEAN("a/./b//c/", "a/b/c", 0);
	CLEAN("./etc/passwd", "etc/passwd", 0);
	CLEAN("a/b/../c", "a/c", 0);
	CLEAN("a/b/../../c", "c", 0);
	CLEAN("...", "...", 0);
	CLEAN("..a/b..", "..a/b..", 0);
}

static void test_absolute(void **state)
{
	(void)state;
	CLEAN("/etc/passwd", "etc/passwd", IOTA_PATH_ABSOLUTE);
	CLEAN("///etc//shadow", "etc/shadow", IOTA_PATH_ABSOLUTE);
	CLEAN("\\windows\\system", "windows/system", IOTA_PATH_ABSOLUTE);
	CLEAN("/", "", IOTA_PATH_ABSOLUTE | IOTA_PATH_EMPTY);
}

static void test_dotdot(void **state)
{
	(void)state;
	CLEAN("../../etc/passwd", "etc/passwd", IOTA_PATH_DOTDOT);
	CLEAN("a/../../b", "b", IOTA_PATH_DOTDOT);
	CLEAN("/../x", "x", IOTA_PATH_ABSOLUTE | IOTA_PATH_DOTDOT);
	CLEAN("a\\..\\..\\b", "b", IOTA_PATH_DOTDOT);
	CLEAN("..", "", IOTA_PATH_DOTDOT | IOTA_PATH_EMPTY);
	CLEAN("a/..", "", IOTA_PATH_EMPTY);
	CLEAN("x/y/z/../../../../../../tmp", "tmp", IOTA_PATH_DOTDOT);
}

static void test_empty(void **state)
{
	(void)state;
	CLEAN("", "", IOTA_PATH_EMPTY);
	CLEAN(".", "", IOTA_PATH_EMPTY);
	CLEAN("././/", "", IOTA_PATH_EMPTY);
}

static void test_nul(void **state)
{
	(void)state;
	char out[64];
	/* a NUL ends the name: what follows cannot smuggle a "../" in */
	static const char name[] = "abc\0/../../x";
	assert_int_equal(clean(name, sizeof name - 1, out, sizeof out), 0);
	assert_string_equal(out, "abc");
	static const char name2[] = "dir/\0../../../etc";
	assert_int_equal(clean(name2, sizeof name2 - 1, out, sizeof out), 0);
	assert_string_equal(out, "dir");
	static const char name3[] = "\0abc";
	assert_int_equal(clean(name3, sizeof name3 - 1, out, sizeof out), IOTA_PATH_EMPTY);
	assert_string_equal(out, "");
	/* only len bytes are read: no terminator needed */
	char raw[4] = {'a', '/', 'b', 'c'};
	assert_int_equal(clean(raw, 3, out, sizeof out), 0);
	assert_string_equal(out, "a/b");
}

static void test_small_output(void **state)
{
	(void)state;
	char out[8];
	assert_int_equal(clean("abcdefgh", 8, out, sizeof out), -1);
	assert_int_equal(clean("abcdefg", 7, out, sizeof out), 0);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(clean("abc/defg", 8, out, sizeof out), -1);
	assert_int_equal(clean("a", 1, out, 0), -1);
	assert_int_equal(clean("", 0, out, 1), IOTA_PATH_EMPTY);
	/* a long name that climbs back down fits */
	char big[4096];
	memset(big, 'x', sizeof big);
	assert_int_equal(clean(big, sizeof big, out, sizeof out), -1);
}

static void test_link_inside(void **state)
{
	(void)state;
	assert_true(iota_path_link_inside("", "busybox"));
	assert_true(iota_path_link_inside("sbin", "../bin/busybox"));
	assert_true(iota_path_link_inside("usr/sbin", "../../bin/busybox"));
	assert_false(iota_path_link_inside("usr/sbin", "../../../etc"));
	assert_false(iota_path_link_inside("", ".."));
	assert_false(iota_path_link_inside("", "../x"));
	assert_false(iota_path_link_inside("a", "x/../../.."));
	assert_true(iota_path_link_inside("a", "./../x"));
	assert_true(iota_path_link_inside("a", "x/../.."));
	assert_false(iota_path_link_inside("a", "/etc"));
	assert_false(iota_path_link_inside("a", ""));
	assert_false(iota_path_link_inside("a", NULL));
	/* climbing below the root and back is still out of it on the way */
	assert_false(iota_path_link_inside("", "../a/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),       cmocka_unit_test(test_absolute),
	    cmocka_unit_test(test_dotdot),      cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_nul),         cmocka_unit_test(test_small_output),
	    cmocka_unit_test(test_link_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
