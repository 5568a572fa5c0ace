// SPDX-License-Identifier: GPL-2.0
/* notify.c: sd_notify(3) by hand: one datagram to $NOTIFY_SOCKET, no libsystemd. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lkpd.h"

int lkpd_notify(const char *state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	ssize_t n;
	int fd;

	if (!path || !*path)
		return 0;	/* not started by systemd (Type=notify) */
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, len);
	/* "@name": an abstract socket, whose name starts with a NUL byte. */
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   offsetof(struct sockaddr_un, sun_path) + len);
	close(fd);
	return n < 0 ? -errno : 0;
}
