// SPDX-License-Identifier: GPL-2.0
/* daemon.c: the client side of lkpd's control socket, and where the store and socket are. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

const char *lkp_store_dir(const char *opt)
{
	const char *e = getenv("LKP_STORE");

	return opt ? opt : e && *e ? e : LKPD_STORE_DEFAULT;
}

const char *lkp_socket_path(const char *opt)
{
	const char *e = getenv("LKP_SOCKET");

	return opt ? opt : e && *e ? e : LKPD_SOCKET_DEFAULT;
}

int lkp_daemon_call(const char *path, const char *req, char **out, size_t *len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = 0, cap = 4096, rlen = strlen(req);
	char *buf = NULL, *nb;
	ssize_t k;
	int fd, ret;

	*out = NULL;
	*len = 0;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    write(fd, req, rlen) != (ssize_t)rlen || write(fd, "\n", 1) != 1 ||
	    shutdown(fd, SHUT_WR)) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		if (!buf || cap - n < 2) {
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		k = read(fd, buf + n, cap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			ret = -errno;
			goto out;
		}
		if (!k)
			break;
		n += k;
	}
	if (!buf) {
		ret = -EPROTO;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}
