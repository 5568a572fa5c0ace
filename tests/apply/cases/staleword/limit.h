/* SPDX-License-Identifier: GPL-2.0 */
/* limit.h: case "staleword": the function the rounds print and a thread keeps a stale word into. */
#ifndef LIMIT_H
#define LIMIT_H

int limit(void);

#endif
