// SPDX-License-Identifier: GPL-2.0
/* daemon.c: `lkpctl install`, `uninstall` and `status`: the patch store and lkpd, through its control socket. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "lkpctl.h"
#include "out.h"
#include "patchset.h"
#include "target.h"

static const char install_usage[] =
	"usage: lkpctl [--json] install [--store DIR] [--socket PATH] PATCH...\n"
	"\n"
	"Install patch files (.lkpp) for good: each is checked, copied into the store as\n"
	"BUILD-ID.lkpp (replacing the patch installed for the same build, if any) and\n"
	"handed to lkpd, which applies it to every running process that maps its object\n"
	"and holds every new one (exec, or dlopen of a library) until it is patched.\n"
	"When lkpd is not running, the patch waits in the store for its start.\n"
	"\n"
	"  --store DIR      the store (default $LKP_STORE, else " LKPD_STORE_DEFAULT ")\n"
	"  --socket PATH    lkpd's socket (default $LKP_SOCKET, else " LKPD_SOCKET_DEFAULT ")\n"
	"  -j, --json       one JSON object per patch: installed {patch, build_id, target,\n"
	"                   hold_points, patched, failed}\n"
	"  -h, --help       this text\n"
	"\n"
	"Exit status: 0 installed, 1 error (one line: the file and the reason), 2 usage.\n";

static const char uninstall_usage[] =
	"usage: lkpctl [--json] uninstall [--store DIR] [--socket PATH] ID|BUILD-ID...\n"
	"\n"
	"Remove installed patches (by patch id or build-id, or a unique prefix, as\n"
	"`lkpctl status` shows them): lkpd stops holding new processes for them and\n"
	"takes them back from every running process (the original code runs again).\n"
	"Needs lkpd running.\n"
	"\n"
	"  --store DIR, --socket PATH   as for install\n"
	"  -j, --json       one JSON object per patch: uninstalled {patch, build_id,\n"
	"                   target, undone, failed}\n"
	"  -h, --help       this text\n"
	"\n"
	"Exit status: 0 done, 1 error, 2 usage.\n";

static const char status_usage[] =
	"usage: lkpctl [--json] status [--socket PATH]\n"
	"\n"
	"What lkpd does: the installed patches with the files it holds new processes in\n"
	"(and at which instruction), the processes it patched, the holds it served (how\n"
	"long each took), the processes it failed to patch with the reason and when it\n"
	"tries again. Root only.\n"
	"\n"
	"  --socket PATH    lkpd's socket (default $LKP_SOCKET, else " LKPD_SOCKET_DEFAULT ")\n"
	"  -j, --json       one JSON object: lkpd, patches [{patch, build_id, target, file,\n"
	"                   functions, processes, held_files [{path, hold, offset, held}]}],\n"
	"                   processes [{pid, comm, patches}], holds {now, total, patched,\n"
	"                   failed, late, ms_avg, ms_max}, applied, failed [{pid, comm,\n"
	"                   errno, message, reason, attempts, retry_in_ms}], watcher\n"
	"  -h, --help       this text\n"
	"\n"
	"Exit status: 0, 1 error (lkpd not running, not root), 2 usage.\n";

enum { OPT_STORE = 256, OPT_SOCKET };

/* store NULL: the command has no store to name (status), and --store is a usage error. */
static int parse(int argc, char **argv, const char *usage, const char **store, const char **sock)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, OPT_STORE },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (store)
		*store = NULL;
	*sock = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_STORE:
			if (!store) {
				fputs(usage, stderr);
				return LKPCTL_USAGE;
			}
			*store = optarg;
			break;
		case OPT_SOCKET:
			*sock = optarg;
			break;
		case 'j':
			lkp_json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return LKPCTL_USAGE;
		}
	}
	if (store)
		*store = lkp_store_dir(*store);
	*sock = lkp_socket_path(*sock);
	return 0;
}

/*
 * One request to lkpd; prints its output, or its error (one line). 0 or
 * -errno; -ECONNREFUSED and -ENOENT (lkpd not running) are left to the caller
 * to word when quiet_down.
 */
static int call(const char *sock, const char *req, bool quiet_down)
{
	char *out, *nl, *tab;
	size_t len;
	long err;
	int ret;

	ret = lkp_daemon_call(sock, req, &out, &len);
	if (ret) {
		if (!(quiet_down && (ret == -ECONNREFUSED || ret == -ENOENT)))
			lkp_error(sock, ret, "%s", ret == -ECONNREFUSED || ret == -ENOENT ?
				  "lkpd is not running" : ret == -EACCES ?
				  "lkpd answers root only" : "cannot talk to lkpd");
		return ret;
	}
	nl = strchr(out, '\n');
	err = strtol(out, NULL, 10);
	if (!nl || err > 0 || err < -4095) {
		lkp_error(sock, EPROTO, "lkpd's answer is not understood");
		free(out);
		return -EPROTO;
	}
	*nl = '\0';
	if (err) {
		/* "-ERRNO OBJECT\tREASON" */
		tab = strchr(out, '\t');
		if (tab)
			*tab++ = '\0';
		lkp_error(strchr(out, ' ') ? strchr(out, ' ') + 1 : "lkpd", (int)err, "%s",
			  tab ? tab : "");
	} else {
		fputs(nl + 1, stdout);
	}
	free(out);
	return (int)err;
}

/* Copy src to dir/name through a temporary file and rename(): the store never holds half a patch. */
static int copy_in(const char *src, const char *dir, const char *name)
{
	char tmp[4096], dst[4096], buf[65536];
	int in, out, ret = 0;
	ssize_t n;

	snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, name, (int)getpid());
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ret = -EIO;
			break;
		}
	if (n < 0)
		ret = -errno;
	if (!ret && fsync(out))
		ret = -errno;
	close(in);
	if (close(out) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, dst))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

static int mkdirs(const char *dir)
{
	char p[4096], *s;

	snprintf(p, sizeof(p), "%s", dir);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0755) && errno != EEXIST ? -errno : 0;
}

int cmd_install(int argc, char **argv)
{
	char err[LKP_ERR_SIZE], hex[2 * LKPP_BUILD_ID_MAX + 1], name[2 * LKPP_BUILD_ID_MAX + 8];
	char req[LKPD_REQ_MAX];
	struct lkp_patchset ps = { 0 };
	const char *store, *sock;
	int i, ret;

	ret = parse(argc, argv, install_usage, &store, &sock);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind >= argc) {
		fputs(install_usage, stderr);
		return LKPCTL_USAGE;
	}
	/* Every file checked before any is installed. */
	for (i = optind; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
			lkp_error(argv[i], EISDIR, "name patch files, not a directory");
			ret = -EISDIR;
			goto out;
		}
		ret = lkp_patchset_add(&ps, argv[i], err);
		if (ret) {
			lkp_error(argv[i], ret, "%s", err);
			goto out;
		}
	}
	ret = mkdirs(store);
	if (ret) {
		lkp_error(store, ret, "cannot create the patch store");
		goto out;
	}
	for (i = 0; i < (int)ps.n; i++) {
		lkpp_build_id_hex(ps.v[i].p->build_id, ps.v[i].p->build_id_size, hex);
		snprintf(name, sizeof(name), "%s.lkpp", hex);
		ret = copy_in(ps.v[i].path, store, name);
		if (ret) {
			lkp_error(ps.v[i].path, ret, "cannot copy it into %s", store);
			goto out;
		}
		snprintf(req, sizeof(req), "install%s %s", lkp_json ? " json" : "", name);
		ret = call(sock, req, true);
		if (ret == -ECONNREFUSED || ret == -ENOENT) {
			/* Installed all the same: lkpd applies the store when it starts. */
			if (lkp_json)
				printf("{\"installed\":{\"patch\":\"%016" PRIx64 "\",\"build_id\":\"%s\","
				       "\"lkpd\":false}}\n", ps.v[i].id, hex);
			else
				printf("installed %016" PRIx64 " %s in %s; lkpd is not running: it "
				       "applies it when it starts\n", ps.v[i].id, hex, store);
			ret = 0;
		} else if (ret) {
			goto out;
		}
	}
out:
	lkp_patchset_free(&ps);
	return ret;
}

int cmd_uninstall(int argc, char **argv)
{
	char req[LKPD_REQ_MAX];
	const char *store, *sock;
	int i, ret;

	ret = parse(argc, argv, uninstall_usage, &store, &sock);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind >= argc) {
		fputs(uninstall_usage, stderr);
		return LKPCTL_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (strlen(argv[i]) > 2 * LKPP_BUILD_ID_MAX || strpbrk(argv[i], " \t\n/")) {
			lkp_error(argv[i], EINVAL, "not a patch id or build-id");
			return -EINVAL;
		}
		snprintf(req, sizeof(req), "uninstall%s %s", lkp_json ? " json" : "", argv[i]);
		ret = call(sock, req, false);
		if (ret)
			return ret;
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	const char *sock;
	int ret;

	ret = parse(argc, argv, status_usage, NULL, &sock);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (optind < argc) {
		fputs(status_usage, stderr);
		return LKPCTL_USAGE;
	}
	return call(sock, lkp_json ? "status json" : "status", false);
}
