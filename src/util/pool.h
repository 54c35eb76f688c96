/*
 * A fixed pool of worker threads over one FIFO queue.
 *
 * A task may submit further tasks. The queue holds at most max_queued tasks:
 * a thread that is not one of the pool's workers blocks in submit until there
 * is room (back-pressure, so a producer cannot run ahead of the workers with
 * unbounded memory), while a worker that finds the queue full runs the task
 * itself at once (it must never wait on its own pool).
 */
#ifndef IOTA_UTIL_POOL_H
#define IOTA_UTIL_POOL_H

typedef struct iota_pool iota_pool;
typedef void (*iota_task_fn)(void *arg);

/* threads 0 = one per online CPU. Returns NULL when out of memory or threads. */
iota_pool *iota_pool_new(unsigned threads, unsigned max_queued);
/* Returns 0, or -1 when the task could not be queued (it was run inline). */
int iota_pool_submit(iota_pool *p, iota_task_fn fn, void *arg);
/* Blocks until no task is queued or running. */
void iota_pool_wait(iota_pool *p);
void iota_pool_free(iota_pool *p);
unsigned iota_pool_threads(const iota_pool *p);

#endif
