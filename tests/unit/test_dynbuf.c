/* Unit tests: the growable buffer with a maximum (src/util/dynbuf.h). */
#include <string.h>

#include "iotaudit/iotaudit.h"
#include "unit.h"
#include "util/alloc.h"
#include "util/dynbuf.h"

static void test_add_within_max(void **state)
{
	(void)state;
	iota_dynbuf b;
	iota_dynbuf_init(&b, 10);
	assert_string_equal(iota_dynbuf_str(&b), "");
	assert_int_equal(iota_dynbuf_add(&b, "hello", 5), 0);
	assert_int_equal(iota_dynbuf_add(&b, "world", 5), 0); /* exactly the maximum */
	assert_int_equal(b.len, 10);
	assert_string_equal(iota_dynbuf_str(&b), "helloworld");
	assert_int_equal(iota_dynbuf_add(&b, "", 0), 0);
	iota_dynbuf_free(&b);
	assert_null(b.data);
}

static void test_past_max(void **state)
{
	(void)state;
	iota_dynbuf b;
	iota_dynbuf_init(&b, 8);
	assert_int_equal(iota_dynbuf_add(&b, "abcdef", 6), 0);
	/* the append that would pass the maximum fails and changes nothing */
	assert_int_equal(iota_dynbuf_add(&b, "xyz", 3), IOTA_LIMIT);
	assert_int_equal(b.len, 6);
	assert_string_equal(iota_dynbuf_str(&b), "abcdef");
	assert_int_equal(iota_dynbuf_reserve(&b, SIZE_MAX), IOTA_LIMIT);
	assert_int_equal(iota_dynbuf_reserve(&b, SIZE_MAX - 3), IOTA_LIMIT);
	assert_int_equal(iota_dynbuf_add(&b, "gh", 2), 0);
	assert_int_equal(iota_dynbuf_add(&b, "i", 1), IOTA_LIMIT);
	assert_true(b.cap <= b.max + 1); /* never allocates past max + terminator */
	iota_dynbuf_free(&b);

	iota_dynbuf_init(&b, 0);
	assert_int_equal(iota_dynbuf_add(&b, "a", 1), IOTA_LIMIT);
	assert_int_equal(iota_dynbuf_add(&b, "", 0), 0);
	iota_dynbuf_free(&b);
}

static void test_addf(void **state)
{
	(void)state;
	iota_dynbuf b;
	iota_dynbuf_init(&b, 4096);
	assert_int_equal(iota_dynbuf_addf(&b, "%s=%d;", "x", 42), 0);
	char big[1000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	/* longer than the formatter's stack buffer */
	assert_int_equal(iota_dynbuf_addf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 5 + 1 + 999 + 1);
	assert_memory_equal(b.data, "x=42;[qqq", 9);
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(b.data[b.len], '\0');
	iota_dynbuf_free(&b);

	iota_dynbuf_init(&b, 100);
	assert_int_equal(iota_dynbuf_addf(&b, "%s", big), IOTA_LIMIT);
	assert_int_equal(b.len, 0);
	iota_dynbuf_free(&b);
}

static void test_take(void **state)
{
	(void)state;
	iota_dynbuf b;
	iota_dynbuf_init(&b, 1 << 20);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(iota_dynbuf_add(&b, "0123456789", 10), 0);
	size_t len = 0;
	uint8_t *p = iota_dynbuf_take(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 10000);
	assert_memory_equal(p + 9990, "0123456789", 10);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	/* the buffer is usable again after take */
	assert_int_equal(iota_dynbuf_add(&b, "again", 5), 0);
	assert_string_equal(iota_dynbuf_str(&b), "again");
	iota_free(p);
	iota_dynbuf_free(&b);
}

static void test_nomem(void **state)
{
	(void)state;
	iota_dynbuf b;
	iota_dynbuf_init(&b, 1 << 20);
	iota_alloc_fail_after(0);
	int rc = iota_dynbuf_add(&b, "abc", 3);
	iota_alloc_fail_after(-1);
	assert_int_equal(rc, IOTA_NOMEM);
	assert_int_equal(b.len, 0);
	assert_string_equal(iota_dynbuf_str(&b), "");
	assert_int_equal(iota_dynbuf_add(&b, "abc", 3), 0);
	/* growing fails: the old bytes stay */
	iota_alloc_fail_after(0);
	char chunk[4096] = {0};
	rc = iota_dynbuf_add(&b, chunk, sizeof chunk);
	iota_alloc_fail_after(-1);
	assert_int_equal(rc, IOTA_NOMEM);
	assert_string_equal(iota_dynbuf_str(&b), "abc");
	iota_dynbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_within_max), cmocka_unit_test(test_past_max),
	    cmocka_unit_test(test_addf),           cmocka_unit_test(test_take),
	    cmocka_unit_test(test_nomem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
