/* SPDX-License-Identifier: GPL-2.0 */
/* case.h: the one entry point every patchgen case defines for common/driver.c. */
#ifndef LKP_PATCHGEN_CASE_H
#define LKP_PATCHGEN_CASE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Prints one round of the case's output on stdout (and stderr). */
void run(void);

#ifdef __cplusplus
}
#endif

#endif
