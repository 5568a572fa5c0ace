/* SPDX-License-Identifier: GPL-2.0 */
/* progress.h: one line on a terminal saying how far a long operation is (apply --all, lkpd's start). */
#ifndef LKP_PROGRESS_H
#define LKP_PROGRESS_H

/*
 * A person waiting at a terminal sees "WHAT: DONE/TOTAL UNIT, ELAPSED s" on
 * stderr, rewritten in place (with '\r') at most ten times a second, and
 * the final count on a line of its own at the end. Nothing is written at
 * all unless stderr is a terminal and --json is off (lkp_json): logs,
 * pipes and scripts see no progress bytes.
 *
 * There is one line per process, since there is one stderr: begin and end
 * are called by one thread; lkp_progress_add from any (apply --all's
 * workers). Other output to the terminal while the line is up goes between
 * lkp_progress_hold() and lkp_progress_release(), which erase the line and
 * draw it again below that output (at once, or at the next count within
 * the rate).
 */
void lkp_progress_begin(const char *what, const char *unit, unsigned int total);
void lkp_progress_add(unsigned int n);
void lkp_progress_end(void);
void lkp_progress_hold(void);
void lkp_progress_release(void);

#endif /* LKP_PROGRESS_H */
