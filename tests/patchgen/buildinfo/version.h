/* SPDX-License-Identifier: GPL-2.0 */
/* version.h: the version and build banner of case "buildinfo". */
#ifndef VERSION_H
#define VERSION_H
const char *build_info(void);
int patchlevel(void);
#endif
