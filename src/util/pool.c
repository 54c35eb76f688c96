/* Thread pool (see pool.h). */
#include "util/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "util/alloc.h"

struct task {
	iota_task_fn fn;
	void *arg;
	struct task *next;
};

struct iota_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* a task was queued, or stop */
	pthread_cond_t room;  /* the queue shrank */
	pthread_cond_t idle;  /* pending reached zero */
	struct task *head, *tail;
	unsigned queued, max_queued;
	unsigned long pending; /* queued + running */
	bool stop;
	unsigned nthreads;
	pthread_t *threads;
};

static _Thread_local iota_pool *current_pool;

static void *worker(void *arg)
{
	iota_pool *p = arg;
	current_pool = p;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->head)
			break;
		struct task *t = p->head;
		p->head = t->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		pthread_cond_signal(&p->room);
		pthread_mutex_unlock(&p->lock);

		t->fn(t->arg);
		iota_free(t);

		pthread_mutex_lock(&p->lock);
		if (--p->pending == 0)
			pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

iota_pool *iota_pool_new(unsigned threads, unsigned max_queued)
{
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > 256)
		threads = 256;
	iota_pool *p = iota_calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->threads = iota_calloc(threads, sizeof *p->threads);
	if (!p->threads) {
		iota_free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->room, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->max_queued = max_queued ? max_queued : 4 * threads;
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->nthreads++;
	}
	if (p->nthreads == 0) {
		iota_pool_free(p);
		return NULL;
	}
	return p;
}

unsigned iota_pool_threads(const iota_pool *p)
{
	return p->nthreads;
}

int iota_pool_submit(iota_pool *p, iota_task_fn fn, void *arg)
{
	struct task *t = iota_malloc(sizeof *t);
	if (!t) {
		fn(arg);
		return -1;
	}
	t->fn = fn;
	t->arg = arg;
	t->next = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->queued >= p->max_queued) {
		if (current_pool == p) {
			pthread_mutex_unlock(&p->lock);
			iota_free(t);
			fn(arg);
			return 0;
		}
		while (p->queued >= p->max_queued)
			pthread_cond_wait(&p->room, &p->lock);
	}
	if (p->tail)
		p->tail->next = t;
	else
		p->head = t;
	p->tail = t;
	p->queued++;
	p->pending++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void iota_pool_wait(iota_pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->pending)
		pthread_cond_wait(&p->idle, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void iota_pool_free(iota_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	while (p->head) {
		struct task *t = p->head;
		p->head = t->next;
		iota_free(t);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->room);
	pthread_cond_destroy(&p->idle);
	iota_free(p->threads);
	iota_free(p);
}
