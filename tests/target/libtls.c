// SPDX-License-Identifier: GPL-2.0
/* libtls.c: the child's library: a copy-relocated variable and an initial-exec thread-local. */
#include "libtls.h"

long lib_counter = 5;
__thread long lib_tls __attribute__((tls_model("initial-exec"))) = 3;
