/* SPDX-License-Identifier: GPL-2.0 */
/* stack_target.h: what stack_target tells stack_test over their socket. */
#ifndef STACK_TARGET_H
#define STACK_TARGET_H

#include <stdint.h>

/* The socket is the target's fd 3; each command byte gets one answer. */
#define ST_FD		3
#define ST_CMD_COUNT	'c'	/* answer: the spinner's count, a uint64_t */
#define ST_CMD_WAKE	'w'	/* wake the reader once; answer 'k' once it is back in read() */

/* Sent once every thread is where the test expects it. */
struct st_hello {
	int32_t pid, main_tid, reader_tid, spinner_tid;
	/* Function addresses, and the return addresses each call leaves on the stack. */
	uint64_t inner, middle, outer, spin_here, spin_outer;
	uint64_t ret_to_middle;		/* inner's return address: into middle() */
	uint64_t ret_to_outer;		/* middle's: into outer() */
	uint64_t ret_to_reader;		/* outer's: into reader_main() */
	uint64_t ret_to_spin_outer;	/* spin_here's: into spin_outer() */
};

#endif /* STACK_TARGET_H */
