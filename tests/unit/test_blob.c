/* Unit tests: reference-counted byte ranges (src/core/blob.h). Leaks and
 * use-after-free show up in the sanitizer build. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/blob.h"
#include "unit.h"
#include "util/alloc.h"

static void test_copy_and_refs(void **state)
{
	(void)state;
	iota_blob *b = iota_blob_copy("hello world", 11);
	assert_non_null(b);
	assert_int_equal(b->len, 11);
	assert_memory_equal(b->data, "hello world", 11);
	assert_int_equal(atomic_load(&b->refs), 1);
	assert_true(iota_blob_is_heap(b));
	assert_ptr_equal(iota_blob_ref(b), b);
	assert_int_equal(atomic_load(&b->refs), 2);
	iota_blob_unref(b);
	assert_int_equal(atomic_load(&b->refs), 1);
	iota_blob_unref(b);
	iota_blob_unref(NULL);

	iota_blob *e = iota_blob_copy("", 0);
	assert_non_null(e);
	assert_int_equal(e->len, 0);
	iota_blob_unref(e);
}

static void test_slices(void **state)
{
	(void)state;
	iota_blob *parent = iota_blob_copy("0123456789", 10);
	iota_blob *s = iota_blob_slice(parent, 2, 5);
	assert_non_null(s);
	assert_false(iota_blob_is_heap(s));
	assert_memory_equal(s->data, "23456", 5);
	assert_int_equal(atomic_load(&parent->refs), 2);
	/* the slice keeps its parent's bytes alive */
	iota_blob_unref(parent);
	assert_memory_equal(s->data, "23456", 5);
	iota_blob *ss = iota_blob_slice(s, 1, 3);
	assert_memory_equal(ss->data, "345", 3);
	iota_blob_unref(s);
	assert_memory_equal(ss->data, "345", 3);

	/* out of range: refused */
	assert_null(iota_blob_slice(ss, 0, 4));
	assert_null(iota_blob_slice(ss, 4, 0));
	assert_null(iota_blob_slice(ss, 1, SIZE_MAX));
	assert_null(iota_blob_slice(ss, SIZE_MAX, 1));
	assert_null(iota_blob_slice(NULL, 0, 0));
	iota_blob *end = iota_blob_slice(ss, 3, 0); /* empty at the end is fine */
	assert_non_null(end);
	assert_int_equal(end->len, 0);
	iota_blob_unref(end);
	iota_blob_unref(ss);
}

static void test_borrow_take(void **state)
{
	(void)state;
	static const char keep[] = "caller's bytes";
	iota_blob *b = iota_blob_borrow(keep, sizeof keep);
	assert_ptr_equal(b->data, keep);
	assert_false(iota_blob_is_heap(b));
	iota_blob_unref(b);

	char *mem = iota_malloc(16);
	memcpy(mem, "taken over", 11);
	b = iota_blob_take(mem, 11);
	assert_ptr_equal(b->data, mem);
	assert_true(iota_blob_is_heap(b));
	iota_blob_unref(b); /* frees mem */

	b = iota_blob_take(NULL, 100);
	assert_non_null(b);
	assert_int_equal(b->len, 0);
	iota_blob_unref(b);

	/* out of memory: the bytes are freed too (no leak in the ASan build) */
	mem = iota_malloc(16);
	iota_alloc_fail_after(0);
	b = iota_blob_take(mem, 16);
	iota_alloc_fail_after(-1);
	assert_null(b);
}

static void test_map(void **state)
{
	(void)state;
	char path[] = "/tmp/iota-blob-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "mapped bytes", 12), 12);
	iota_blob *b = iota_blob_map_fd(fd, 12);
	assert_non_null(b);
	assert_memory_equal(b->data, "mapped bytes", 12);
	assert_false(iota_blob_is_heap(b));
	iota_blob *s = iota_blob_slice(b, 7, 5);
	iota_blob_unref(b);
	close(fd); /* the mapping outlives the descriptor */
	assert_memory_equal(s->data, "bytes", 5);
	iota_blob_unref(s);

	fd = mkstemp(path);
	unlink(path);
	b = iota_blob_map_fd(fd, 0);
	assert_non_null(b);
	assert_int_equal(b->len, 0);
	iota_blob_unref(b);
	close(fd);
}

static iota_blob *shared;

static void *ref_unref(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++) {
		iota_blob *r = iota_blob_ref(shared);
		iota_blob *s = iota_blob_slice(r, 1, 2);
		iota_blob_unref(s);
		iota_blob_unref(r);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	shared = iota_blob_copy("abcd", 4);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, ref_unref, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&shared->refs), 1);
	iota_blob_unref(shared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copy_and_refs), cmocka_unit_test(test_slices),
	    cmocka_unit_test(test_borrow_take),   cmocka_unit_test(test_map),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
