/* SPDX-License-Identifier: GPL-2.0 */
/* libtls.h: a library with a variable the executable copies and a static-TLS variable. */
extern long lib_counter;
extern __thread long lib_tls __attribute__((tls_model("initial-exec")));
