/* SPDX-License-Identifier: GPL-2.0 */
/* lib-depth.h: the interface of libdepth.so. */
#ifndef LIB_DEPTH_H
#define LIB_DEPTH_H
/* Declared extern in a PIE executable, this is accessed initial-exec. */
extern __thread int lib_depth;
void lib_enter(void);
#endif
