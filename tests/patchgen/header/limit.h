/* SPDX-License-Identifier: GPL-2.0 */
/* limit.h: case "header": the limit cap.c and high.c clamp to; fix.diff lowers it. */
#ifndef LIMIT_H
#define LIMIT_H
#define LIMIT 100
#endif
