/* Unit tests: the per-scan arena (src/core/arena.h). */
#include <pthread.h>
#include <string.h>

#include "core/arena.h"
#include "unit.h"
#include "util/alloc.h"

static void test_aligned_zeroed(void **state)
{
	(void)state;
	iota_arena *a = iota_arena_new();
	assert_non_null(a);
	unsigned char *prev = NULL;
	for (size_t n = 1; n < 3000; n += 7) {
		unsigned char *p = iota_arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xab, n); /* must not overlap what came before */
		if (prev)
			assert_int_equal(prev[0], 0xab);
		prev = p;
	}
	assert_true(iota_arena_bytes(a) > 3000);
	iota_arena_free(a);
}

static void test_big_and_strings(void **state)
{
	(void)state;
	iota_arena *a = iota_arena_new();
	char *small = iota_arena_strdup(a, "small");
	/* bigger than a chunk: gets its own, the current chunk keeps its room */
	unsigned char *big = iota_arena_alloc(a, 1 << 20);
	assert_non_null(big);
	memset(big, 1, 1 << 20);
	char *after = iota_arena_strndup(a, "abcdef", 3);
	assert_string_equal(small, "small");
	assert_string_equal(after, "abc");
	assert_string_equal(iota_arena_strndup(a, "ab\0cd", 5), "ab");
	assert_true(iota_arena_bytes(a) >= (1 << 20));
	assert_null(iota_arena_alloc(a, SIZE_MAX));
	assert_null(iota_arena_alloc(a, SIZE_MAX - 8));
	iota_arena_free(a);
	iota_arena_free(NULL);
}

static void test_nomem(void **state)
{
	(void)state;
	iota_arena *a = iota_arena_new();
	assert_non_null(iota_arena_alloc(a, 10));
	iota_alloc_fail_after(0);
	void *p = iota_arena_alloc(a, 1 << 20);
	iota_alloc_fail_after(-1);
	assert_null(p);
	assert_non_null(iota_arena_alloc(a, 10));
	iota_arena_free(a);
}

#define THREADS    4
#define PER_THREAD 20000

struct worker {
	iota_arena *a;
	unsigned char tag;
	unsigned char *ptrs[PER_THREAD];
};

static void *alloc_many(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		w->ptrs[i] = iota_arena_alloc(w->a, 24);
		if (w->ptrs[i])
			memset(w->ptrs[i], w->tag, 24);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	static struct worker w[THREADS];
	pthread_t t[THREADS];
	iota_arena *a = iota_arena_new();
	for (int i = 0; i < THREADS; i++) {
		w[i].a = a;
		w[i].tag = (unsigned char)(i + 1);
		assert_int_equal(pthread_create(&t[i], NULL, alloc_many, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* every allocation still holds its own thread's bytes: none were shared */
	for (int i = 0; i < THREADS; i++)
		for (int k = 0; k < PER_THREAD; k++) {
			assert_non_null(w[i].ptrs[k]);
			for (int j = 0; j < 24; j++)
				assert_int_equal(w[i].ptrs[k][j], w[i].tag);
		}
	iota_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aligned_zeroed),
	    cmocka_unit_test(test_big_and_strings),
	    cmocka_unit_test(test_nomem),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
