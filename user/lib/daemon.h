/* SPDX-License-Identifier: GPL-2.0 */
/* daemon.h: where lkpd keeps its patches and listens, and the control protocol lkpctl speaks to it. */
#ifndef LKP_DAEMON_H
#define LKP_DAEMON_H

#include <stddef.h>

#define LKPD_STORE_DEFAULT	"/var/lib/lkp/patches"
#define LKPD_SOCKET_DEFAULT	"/run/lkp/lkpd.sock"
#define LKPD_REQ_MAX		4096

/*
 * The protocol: the client connects (lkpd serves root only, SO_PEERCRED),
 * writes one request line and shuts its side down:
 *
 *	status [json]
 *	install [json] FILE	(FILE: a patch already copied into the store)
 *	uninstall [json] WHICH	(patch id, build-id, or a prefix)
 *
 * lkpd answers "0\n" followed by the output to print, or
 * "-ERRNO OBJECT\tREASON\n" (one error, for lkp_error()), and closes.
 */

/* The store and socket lkpctl and lkpd use: the option, else $LKP_STORE/$LKP_SOCKET, else the default. */
const char *lkp_store_dir(const char *opt);
const char *lkp_socket_path(const char *opt);

/*
 * Send req to lkpd at path and read its whole answer (malloc'ed, NUL
 * terminated) into *out: 0 or -errno (-ECONNREFUSED/-ENOENT: lkpd not
 * running; -EACCES: not allowed to connect).
 */
int lkp_daemon_call(const char *path, const char *req, char **out, size_t *len);

#endif /* LKP_DAEMON_H */
