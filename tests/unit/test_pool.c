/* Unit tests: the thread pool (src/util/pool.h): tasks submitting tasks,
 * back-pressure, running inline when a worker finds the queue full. */
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "util/alloc.h"
#include "util/pool.h"

static void sleep_us(long us)
{
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
	nanosleep(&ts, NULL);
}

static atomic_long counter;

static void count_task(void *arg)
{
	(void)arg;
	atomic_fetch_add(&counter, 1);
}

static void test_many_tasks(void **state)
{
	(void)state;
	iota_pool *p = iota_pool_new(3, 0);
	assert_non_null(p);
	assert_int_equal(iota_pool_threads(p), 3);
	atomic_store(&counter, 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(iota_pool_submit(p, count_task, NULL), 0);
	iota_pool_wait(p);
	assert_int_equal(atomic_load(&counter), 5000);
	iota_pool_wait(p); /* waiting on an idle pool returns */
	iota_pool_free(p);
}

struct tree {
	iota_pool *p;
	int depth;
};

static struct tree nodes[1 << 12];
static atomic_int next_node;

/* Each task below depth 0 submits two children: 2^(d+1) - 1 tasks in all. */
static void tree_task(void *arg)
{
	struct tree *t = arg;
	atomic_fetch_add(&counter, 1);
	if (t->depth == 0)
		return;
	for (int k = 0; k < 2; k++) {
		struct tree *c = &nodes[atomic_fetch_add(&next_node, 1)];
		c->p = t->p;
		c->depth = t->depth - 1;
		iota_pool_submit(t->p, tree_task, c);
	}
}

static void test_tasks_submit_tasks(void **state)
{
	(void)state;
	/* a tiny queue: workers often find it full and run children inline */
	for (unsigned q = 1; q <= 64; q *= 8) {
		iota_pool *p = iota_pool_new(2, q);
		atomic_store(&counter, 0);
		atomic_store(&next_node, 1);
		nodes[0].p = p;
		nodes[0].depth = 10;
		iota_pool_submit(p, tree_task, &nodes[0]);
		iota_pool_wait(p);
		assert_int_equal(atomic_load(&counter), (1 << 11) - 1);
		iota_pool_free(p);
	}
}

static atomic_long started;

static void slow_task(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	sleep_us(200);
}

static void test_back_pressure(void **state)
{
	(void)state;
	const unsigned threads = 1, max_queued = 2;
	iota_pool *p = iota_pool_new(threads, max_queued);
	atomic_store(&started, 0);
	long worst = 0;
	for (long i = 1; i <= 200; i++) {
		iota_pool_submit(p, slow_task, NULL);
		/* submit blocks while the queue is full: the producer is never more
		 * than the queue plus the running tasks ahead of the workers */
		long ahead = i - atomic_load(&started);
		if (ahead > worst)
			worst = ahead;
	}
	assert_true(worst <= (long)(max_queued + threads));
	iota_pool_wait(p);
	assert_int_equal(atomic_load(&started), 200);
	iota_pool_free(p);
}

static iota_pool *inline_pool;

static void fan_out(void *arg)
{
	(void)arg;
	/* more children than the queue holds: the worker must not wait on itself */
	for (int i = 0; i < 100; i++)
		iota_pool_submit(inline_pool, count_task, NULL);
}

static void test_full_queue_runs_inline(void **state)
{
	(void)state;
	inline_pool = iota_pool_new(1, 1);
	atomic_store(&counter, 0);
	alarm(60); /* a deadlock fails the test instead of hanging it */
	iota_pool_submit(inline_pool, fan_out, NULL);
	iota_pool_wait(inline_pool);
	alarm(0);
	assert_int_equal(atomic_load(&counter), 100);
	iota_pool_free(inline_pool);
}

static void test_nomem_runs_inline(void **state)
{
	(void)state;
	iota_pool *p = iota_pool_new(1, 0);
	atomic_store(&counter, 0);
	iota_alloc_fail_after(0);
	int rc = iota_pool_submit(p, count_task, NULL);
	iota_alloc_fail_after(-1);
	assert_int_equal(rc, -1);
	assert_int_equal(atomic_load(&counter), 1); /* ran at once, in this thread */
	iota_pool_wait(p);
	iota_pool_free(p);
	iota_pool_free(NULL);

	iota_alloc_fail_after(0);
	p = iota_pool_new(2, 0);
	iota_alloc_fail_after(-1);
	assert_null(p);
}

static void test_default_threads(void **state)
{
	(void)state;
	iota_pool *p = iota_pool_new(0, 0);
	assert_non_null(p);
	assert_true(iota_pool_threads(p) >= 1);
	iota_pool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_tasks),        cmocka_unit_test(test_tasks_submit_tasks),
	    cmocka_unit_test(test_back_pressure),     cmocka_unit_test(test_full_queue_runs_inline),
	    cmocka_unit_test(test_nomem_runs_inline), cmocka_unit_test(test_default_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
