// SPDX-License-Identifier: GPL-2.0
/* libwatched.c: a library whose executable mapping watch_test watches, linked at start or loaded by dlopen. */
int watched_fn(int x);

int watched_fn(int x)
{
	return x + 1;
}
