/* Unit tests: the bounds-checked reader (src/util/reader.h). */
#include <string.h>

#include "unit.h"
#include "util/reader.h"

static const uint8_t bytes_[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

/* Hide the test data from the optimiser: out-of-range calls on a constant
 * array otherwise draw -Warray-bounds on branches that never run. */
static const uint8_t *__attribute__((noinline)) opaque_ptr(const uint8_t *p)
{
	return p;
}

static size_t __attribute__((noinline)) opaque(size_t v)
{
	return v;
}

/* The test data in each test: bytes[0..nbytes). */
#define DATA                                                                                       \
	const uint8_t *bytes = opaque_ptr(bytes_);                                                 \
	const size_t nbytes = opaque(sizeof bytes_);                                               \
	(void)bytes;                                                                               \
	(void)nbytes

static void test_values(void **state)
{
	(void)state;
	DATA;
	iota_reader r;
	iota_rd_init(&r, bytes, nbytes);
	assert_int_equal(iota_rd_u8(&r), 0x01);
	assert_int_equal(iota_rd_u16le(&r), 0x0302);
	assert_int_equal(iota_rd_u16be(&r), 0x0405);
	assert_int_equal(iota_rd_left(&r), 4);
	assert_false(r.bad);

	iota_rd_init(&r, bytes, nbytes);
	assert_int_equal(iota_rd_u32le(&r), 0x04030201u);
	assert_int_equal(iota_rd_u32be(&r), 0x05060708u);
	iota_rd_init(&r, bytes, nbytes);
	assert_true(iota_rd_u64le(&r) == 0x0807060504030201ULL);
	iota_rd_init(&r, bytes, nbytes);
	assert_true(iota_rd_u64be(&r) == 0x0102030405060708ULL);
	assert_int_equal(r.pos, 8);
	assert_false(r.bad);
}

static void test_bounds_and_sticky(void **state)
{
	(void)state;
	DATA;
	iota_reader r;
	iota_rd_init(&r, bytes, 3);
	assert_int_equal(iota_rd_u16le(&r), 0x0201);
	/* two bytes wanted, one left: 0, position kept, bad set */
	assert_int_equal(iota_rd_u16le(&r), 0);
	assert_int_equal(r.pos, 2);
	assert_true(r.bad);
	/* a later read that fits still works, but the error stays */
	assert_int_equal(iota_rd_u8(&r), 0x03);
	assert_true(r.bad);
	assert_int_equal(iota_rd_u8(&r), 0);
	assert_int_equal(iota_rd_left(&r), 0);

	iota_rd_init(&r, bytes, nbytes);
	assert_int_equal(iota_rd_u64le(&r), 0x0807060504030201ULL);
	assert_int_equal(iota_rd_u32le(&r), 0);
	assert_true(r.bad);
	assert_int_equal(r.pos, 8);
}

static void test_bytes_skip_seek(void **state)
{
	(void)state;
	DATA;
	iota_reader r;
	iota_rd_init(&r, bytes, nbytes);
	const uint8_t *p = iota_rd_bytes(&r, 4);
	assert_ptr_equal(p, bytes);
	assert_true(iota_rd_has(&r, 5));
	assert_false(iota_rd_has(&r, 6));
	assert_false(iota_rd_has(&r, SIZE_MAX));
	assert_null(iota_rd_bytes(&r, SIZE_MAX));
	assert_true(r.bad);
	assert_int_equal(r.pos, 4);

	iota_rd_init(&r, bytes, nbytes);
	assert_true(iota_rd_skip(&r, 0));
	assert_true(iota_rd_skip(&r, 9));
	assert_false(r.bad);
	assert_false(iota_rd_skip(&r, 1));
	assert_true(r.bad);

	iota_rd_init(&r, bytes, nbytes);
	assert_true(iota_rd_seek(&r, nbytes)); /* the end itself is a valid position */
	assert_int_equal(iota_rd_left(&r), 0);
	assert_false(r.bad);
	assert_false(iota_rd_seek(&r, nbytes + 1));
	assert_true(r.bad);
	assert_int_equal(r.pos, nbytes);
	assert_false(iota_rd_seek(&r, SIZE_MAX));
}

static void test_null_base(void **state)
{
	(void)state;
	DATA;
	iota_reader r;
	iota_rd_init(&r, NULL, 100); /* a NULL base never claims bytes */
	assert_int_equal(r.len, 0);
	assert_int_equal(iota_rd_u8(&r), 0);
	assert_true(r.bad);
	assert_null(iota_rd_bytes(&r, 1));
}

static void test_loaders(void **state)
{
	(void)state;
	DATA;
	uint32_t v32 = 0xdeadbeef;
	uint16_t v16;
	uint64_t v64;
	assert_true(iota_ld_u32be(bytes, nbytes, 5, &v32));
	assert_int_equal(v32, 0x06070809u);
	/* out of range: false and the output untouched */
	v32 = 0xdeadbeef;
	assert_false(iota_ld_u32be(bytes, nbytes, 6, &v32));
	assert_int_equal(v32, 0xdeadbeefu);
	assert_false(iota_ld_u16le(bytes, nbytes, nbytes, &v16));
	assert_false(iota_ld_u16le(bytes, nbytes, SIZE_MAX, &v16));
	assert_false(iota_ld_u64le(bytes, nbytes, SIZE_MAX - 3, &v64));
	assert_true(iota_ld_u64le(bytes, nbytes, 1, &v64));
	assert_true(v64 == 0x0908070605040302ULL);

	uint8_t out[4];
	assert_true(iota_ld_bytes(bytes, nbytes, 5, out, 4));
	assert_memory_equal(out, bytes + 5, 4);
	assert_false(iota_ld_bytes(bytes, nbytes, 6, out, 4));
	assert_false(iota_ld_bytes(bytes, nbytes, 1, out, SIZE_MAX));

	assert_true(iota_ld_match(bytes, nbytes, 2, "\x03\x04", 2));
	assert_false(iota_ld_match(bytes, nbytes, 2, "\x03\x05", 2));
	assert_false(iota_ld_match(bytes, nbytes, 8, "\x09\x0a", 2));
	assert_false(iota_ld_match(bytes, nbytes, SIZE_MAX, "\x09", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),          cmocka_unit_test(test_bounds_and_sticky),
	    cmocka_unit_test(test_bytes_skip_seek), cmocka_unit_test(test_null_base),
	    cmocka_unit_test(test_loaders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
