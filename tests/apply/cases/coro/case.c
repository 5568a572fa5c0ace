// SPDX-License-Identifier: GPL-2.0
/* case.c: case "coro": each round resumes one long-lived coroutine and a fresh one, each for one step of body(). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "body.h"
#include "case.h"

#define STACK_SIZE	(64 << 10)

static ucontext_t caller, *current;

struct coro {
	ucontext_t ctx;
	void *stack;
};

void coro_yield(void)
{
	swapcontext(current, &caller);
}

/* A coroutine running body() on an mmap'd stack of its own, as QEMU's are. */
static int coro_new(struct coro *c)
{
	c->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->stack == MAP_FAILED || getcontext(&c->ctx))
		return -1;
	c->ctx.uc_stack.ss_sp = c->stack;
	c->ctx.uc_stack.ss_size = STACK_SIZE;
	c->ctx.uc_link = NULL;
	makecontext(&c->ctx, body, 0);
	return 0;
}

static void coro_step(struct coro *c)
{
	current = &c->ctx;
	fflush(stdout);
	swapcontext(&caller, &c->ctx);
	fflush(stdout);
}

/*
 * The long-lived coroutine stays suspended inside body() between rounds,
 * on a stack no thread runs on. The fresh one starts body() anew each
 * round, and its stack goes with it.
 */
void run(void)
{
	static struct coro lived;
	static int started;
	struct coro fresh;

	if (!started) {
		if (coro_new(&lived)) {
			printf("cannot make a coroutine\n");
			return;
		}
		started = 1;
	}
	printf("long-lived: ");
	coro_step(&lived);
	if (coro_new(&fresh)) {
		printf("cannot make a coroutine\n");
		return;
	}
	printf("fresh: ");
	coro_step(&fresh);
	munmap(fresh.stack, STACK_SIZE);
}
