/* SPDX-License-Identifier: GPL-2.0 */
/* out.h: the one error printer and the --json switch every lkp tool shares. */
#ifndef LKP_OUT_H
#define LKP_OUT_H

#include <stdbool.h>
#include <stdio.h>

extern bool lkp_json;		/* set by the tool's --json option */
extern const char *lkp_prog;	/* program name used in messages */

/*
 * Print one error: "PROG: OBJECT: errno text (hint)" on stderr, or with
 * --json an object {"error": {"object", "errno", "message", "hint"}} on
 * stdout so that scripts parsing stdout see the failure too. err is a
 * positive or negative errno, or 0 when there is none.
 */
void lkp_error(const char *object, int err, const char *hint_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write s as a JSON string literal, quotes included. */
void lkp_json_str(FILE *f, const char *s);

#endif /* LKP_OUT_H */
