// SPDX-License-Identifier: GPL-2.0
/* lib-depth.c: libdepth.so of case "tls": defines the thread-local lib_depth. */
#include "lib-depth.h"

__thread int lib_depth = 3;

void lib_enter(void)
{
	lib_depth++;
}
