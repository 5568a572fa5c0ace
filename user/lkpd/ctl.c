// SPDX-License-Identifier: GPL-2.0
/* ctl.c: lkpd's control socket: status, install and uninstall for lkpctl, root only. */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lkpd.h"
#include "out.h"

int lkpd_ctl_open(struct lkpd *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	int fd;

	if (strlen(d->o.socket) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, d->o.socket);
	strcpy(dir, d->o.socket);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a killed lkpd: nobody listens on it any more. */
	unlink(sa.sun_path);
	/* Root only: the mode keeps others out, SO_PEERCRED checks who came in. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(sa.sun_path, 0600) ||
	    listen(fd, 16)) {
		close(fd);
		return -errno;
	}
	d->listen = fd;
	return 0;
}

static void reply_err(FILE *f, int err, const char *object, const char *reason)
{
	fprintf(f, "%d %s\t%s\n", -abs(err), object, reason);
}

static const struct lkp_patchfile *by_path(const struct lkpd *d, const char *path)
{
	unsigned int i;

	for (i = 0; i < d->ps.n; i++)
		if (!strcmp(d->ps.v[i].path, path))
			return &d->ps.v[i];
	return NULL;
}

static void print_patch_head(FILE *f, const struct lkp_patchfile *pf, bool json)
{
	char hex[2 * LKPP_BUILD_ID_MAX + 1];

	lkpp_build_id_hex(pf->p->build_id, pf->p->build_id_size, hex);
	if (json) {
		fprintf(f, "\"patch\":\"%016" PRIx64 "\",\"build_id\":\"%s\",\"target\":", pf->id,
			hex);
		lkp_json_str(f, pf->p->target_name);
	} else {
		fprintf(f, "%016" PRIx64 " %s (%s)", pf->id, hex, pf->p->target_name);
	}
}

static void do_install(struct lkpd *d, FILE *f, bool json, const char *name)
{
	char path[4096];
	const struct lkp_patchfile *pf;
	struct lkp_patchset one = { 0 };
	unsigned int patched = 0, failed = 0, held = 0, i;
	int ret;

	/* Only a file of the store, which lkpctl copied there. */
	if (!*name || strchr(name, '/')) {
		reply_err(f, EINVAL, name, "not a file name of the store");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", d->o.store, name);
	ret = lkpd_store_sync(d, true);
	if (ret) {
		reply_err(f, ret, d->o.store, "cannot read the store");
		return;
	}
	pf = by_path(d, path);
	if (!pf) {
		reply_err(f, ENOENT, path, "not a valid patch in the store (see lkpd's log)");
		return;
	}
	lkpd_log(LKPD_INFO, "%s: installed", path);
	one.v = (struct lkp_patchfile *)pf;
	one.n = 1;
	for (i = 0; i < d->nr_files; i++)
		held += &d->ps.v[d->files[i].patch] == pf && d->files[i].point;
	fprintf(f, "0\n");
	/* pf stays valid: nothing below syncs the store again. */
	ret = lkpd_apply_running(d, &one, &patched, &failed);
	if (json) {
		fprintf(f, "{\"installed\":{");
		print_patch_head(f, pf, true);
		fprintf(f, ",\"hold_points\":%u,\"patched\":%u,\"failed\":%u}}\n", held, patched,
			failed);
		return;
	}
	fprintf(f, "installed ");
	print_patch_head(f, pf, false);
	fprintf(f, ": %u process%s patched, %u failed, %u file%s held%s\n", patched,
		patched == 1 ? "" : "es", failed, held, held == 1 ? "" : "s",
		held ? "" : " (no file with its build-id found: new processes are not held)");
}

static void do_uninstall(struct lkpd *d, FILE *f, bool json, const char *which)
{
	struct lkp_patchset one = { 0 };
	char err[LKP_ERR_SIZE], path[4096];
	unsigned int undone = 0, failed = 0;
	int i, ret;

	i = lkpd_store_find(d, which);
	if (i < 0) {
		reply_err(f, i, which, i == -EEXIST ? "more than one installed patch matches" :
			  "no installed patch has this id or build-id");
		return;
	}
	snprintf(path, sizeof(path), "%s", d->ps.v[i].path);
	ret = lkp_patchset_add(&one, path, err);
	if (ret) {
		reply_err(f, ret, path, err);
		return;
	}
	/* First no new process is held for it, then the running ones get their code back. */
	if (unlink(path) && errno != ENOENT) {
		reply_err(f, errno, path, "cannot remove it from the store");
		lkp_patchset_free(&one);
		return;
	}
	lkpd_store_sync(d, false);
	lkpd_undo_running(d, &one.v[0], &undone, &failed);
	lkpd_log(LKPD_INFO, "%s: uninstalled, %u process%s restored, %u failed", path, undone,
		 undone == 1 ? "" : "es", failed);
	fprintf(f, "0\n");
	if (json) {
		fprintf(f, "{\"uninstalled\":{");
		print_patch_head(f, &one.v[0], true);
		fprintf(f, ",\"undone\":%u,\"failed\":%u}}\n", undone, failed);
	} else {
		fprintf(f, "uninstalled ");
		print_patch_head(f, &one.v[0], false);
		fprintf(f, ": %u process%s restored, %u failed\n", undone, undone == 1 ? "" : "es",
			failed);
	}
	lkp_patchset_free(&one);
}

static void dispatch(struct lkpd *d, FILE *f, char *req)
{
	char *cmd, *arg, *save = NULL;
	bool json = false;

	req[strcspn(req, "\n")] = '\0';
	cmd = strtok_r(req, " ", &save);
	arg = strtok_r(NULL, " ", &save);
	if (arg && !strcmp(arg, "json")) {
		json = true;
		arg = strtok_r(NULL, " ", &save);
	}
	if (!cmd) {
		reply_err(f, EINVAL, "request", "empty");
	} else if (!strcmp(cmd, "status") && !arg) {
		fprintf(f, "0\n");
		lkpd_status(d, f, json);
	} else if (!strcmp(cmd, "install") && arg) {
		do_install(d, f, json, arg);
	} else if (!strcmp(cmd, "uninstall") && arg) {
		do_uninstall(d, f, json, arg);
	} else {
		reply_err(f, EINVAL, cmd, "unknown request");
	}
}

void lkpd_ctl_accept(struct lkpd *d)
{
	struct timeval tv = { .tv_sec = 2 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char req[LKPD_REQ_MAX], *out = NULL;
	size_t n = 0, outlen = 0;
	ssize_t k;
	FILE *f;
	int fd;

	fd = accept4(d->listen, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* A client that sends nothing must not stall the daemon. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	f = open_memstream(&out, &outlen);
	if (!f)
		goto out;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		reply_err(f, EPERM, d->o.socket, "lkpd answers root only");
	} else {
		while (n < sizeof(req) - 1 && !memchr(req, '\n', n)) {
			k = read(fd, req + n, sizeof(req) - 1 - n);
			if (k <= 0)
				break;
			n += k;
		}
		req[n] = '\0';
		dispatch(d, f, req);
	}
	fclose(f);
	for (n = 0; n < outlen; n += k) {
		k = write(fd, out + n, outlen - n);
		if (k <= 0)
			break;
	}
out:
	free(out);
	close(fd);
}
