/* SPDX-License-Identifier: GPL-2.0 */
/* body.h: case "coro": the coroutine's function, which fix.diff changes, and the yield it calls. */
#ifndef BODY_H
#define BODY_H

/* Runs forever on a coroutine's stack: a line, then back to the caller, each step. */
void body(void);
/* Back to whoever resumed the coroutine (case.c). */
void coro_yield(void);

#endif
