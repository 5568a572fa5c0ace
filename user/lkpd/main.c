// SPDX-License-Identifier: GPL-2.0
/* main.c: lkpd: installed patches reach every process, running or started later, before it runs the old code. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkpd.h"
#include "out.h"

static const char usage_text[] =
	"usage: lkpd [OPTIONS]\n"
	"\n"
	"The live patch daemon. Applies every patch of the store to every running\n"
	"process that maps its object, then holds each new process of a patched file\n"
	"(at its entry point, or a library at its init function, at start or in\n"
	"dlopen()) until the patch is applied to it. `lkpctl install`, `uninstall` and\n"
	"`status` talk to it. Logs go to stderr (the journal under systemd); on a\n"
	"terminal, a progress line while it patches or undoes running processes.\n"
	"\n"
	"  -s, --store DIR        the patch store (default $LKP_STORE, else "
	LKPD_STORE_DEFAULT ")\n"
	"  -S, --socket PATH      the control socket (default $LKP_SOCKET, else\n"
	"                         " LKPD_SOCKET_DEFAULT ")\n"
	"  -t, --hold-timeout MS  a held process goes on unpatched after MS (default 5000,\n"
	"                         at most 60000)\n"
	"  -r, --rescan MS        how often files on disk are checked for replacement\n"
	"                         (a file renamed over a held path is checked at once)\n"
	"                         (default 10000)\n"
	"  -v, --verbose          log every held process\n"
	"  -h, --help             this text\n"
	"\n"
	"Signals: TERM and INT stop it (held processes go on at once), HUP reads the\n"
	"store again.\n";

static int parse_ms(const char *s, unsigned int max, unsigned int *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || !*s || *end || n > max)
		return -EINVAL;
	*v = n;
	return 0;
}

static int parse(int argc, char **argv, struct lkpd_opts *o)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "hold-timeout", required_argument, NULL, 't' },
		{ "rescan", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *store = NULL, *sock = NULL;
	int c;

	*o = (struct lkpd_opts){ .hold_timeout_ms = 5000, .rescan_ms = 10000 };
	while ((c = getopt_long(argc, argv, "s:S:t:r:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			store = optarg;
			break;
		case 'S':
			sock = optarg;
			break;
		case 't':
		case 'r':
			if (parse_ms(optarg, c == 't' ? 60000 : 86400000,
				     c == 't' ? &o->hold_timeout_ms : &o->rescan_ms) ||
			    (c == 't' && !o->hold_timeout_ms) || (c == 'r' && o->rescan_ms < 100)) {
				lkp_error(optarg, 0, "not a number in range for --%s",
					  c == 't' ? "hold-timeout" : "rescan");
				return 2;
			}
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	o->store = lkp_store_dir(store);
	o->socket = lkp_socket_path(sock);
	return 0;
}

static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	/* A client that hangs up mid-answer must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Start: holds first, so that nothing started from here on is missed; then the running processes. */
static int start(struct lkpd *d)
{
	unsigned int patched, failed;
	int ret;

	ret = lkpd_hold_open(d);
	if (ret) {
		lkp_error("/dev/lkp", ret, "cannot open a hold channel (is lkp.ko loaded, with "
			  "hold channels? lkpd needs CAP_SYS_ADMIN)");
		return ret;
	}
	ret = lkpd_fswatch_open(d);
	if (ret)
		lkpd_log(LKPD_WARN, "inotify: %s (files replaced on disk are seen at rescans only)",
			 strerror(-ret));
	if (mkdir(d->o.store, 0755) && errno != EEXIST)
		lkpd_log(LKPD_WARN, "%s: cannot create the store: %s", d->o.store, strerror(errno));
	ret = lkpd_store_sync(d, true);
	if (ret) {
		lkp_error(d->o.store, ret, "cannot read the patch store");
		return ret;
	}
	ret = lkpd_ctl_open(d);
	if (ret) {
		lkp_error(d->o.socket, ret, "cannot listen on the control socket");
		return ret;
	}
	ret = lkpd_apply_running(d, NULL, &patched, &failed);
	if (ret)
		lkpd_log(LKPD_WARN, "/proc: cannot list the processes: %s", strerror(-ret));
	ret = lkpd_watch_start(d);
	if (ret && ret != -EOPNOTSUPP)
		lkpd_log(LKPD_WARN, "bpf watcher: %s (going on without it)", strerror(-ret));
	lkpd_log(LKPD_INFO, "ready: %u patch%s installed, %u file%s held, %u process%s patched, "
		 "%u failed", d->ps.n, d->ps.n == 1 ? "" : "es", d->nr_files,
		 d->nr_files == 1 ? "" : "s", patched, patched == 1 ? "" : "es", failed);
	return 0;
}

/*
 * The files on disk again. A point added now (a file replaced by the same
 * build, or the patched build back) comes after the file did: a process
 * exec'd from it in between was not held, so the running processes are
 * looked at once more (those already patched cost a read of their records).
 */
static void rescan(struct lkpd *d)
{
	uint64_t added = d->points_added;
	unsigned int patched, failed;

	lkpd_store_sync(d, false);
	if (d->points_added != added)
		lkpd_apply_running(d, NULL, &patched, &failed);
}

static int loop(struct lkpd *d, int sfd)
{
	struct signalfd_siginfo si;
	struct pollfd p[5];
	uint64_t now, next;
	int timeout, wfd, ret;

	for (;;) {
		now = lkpd_now_ms();
		if (now >= d->next_rescan_ms) {
			rescan(d);
			/* Exited processes leave the table (an exec storm adds one per exec). */
			lkpd_procs_prune(d);
			d->next_rescan_ms = now + d->o.rescan_ms;
		}
		lkpd_retry_due(d);
		now = lkpd_now_ms();
		next = lkpd_next_retry_ms(d);
		if (next > d->next_rescan_ms)
			next = d->next_rescan_ms;
		timeout = next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
		wfd = lkpd_watch_fd(d);
		p[0] = (struct pollfd){ .fd = d->ch, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = d->listen, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[3] = (struct pollfd){ .fd = wfd, .events = POLLIN };
		p[4] = (struct pollfd){ .fd = d->ifd, .events = POLLIN };
		if (poll(p, 5, timeout) < 0 && errno != EINTR)
			return -errno;
		/* Held processes first: they are waiting. */
		if (p[0].revents) {
			ret = lkpd_hold_service(d);
			if (ret) {
				lkpd_log(LKPD_ERR, "hold channel: %s", strerror(-ret));
				return ret;
			}
		}
		if (p[3].revents)
			lkpd_watch_service(d);
		if (p[4].revents && lkpd_fswatch_service(d))
			rescan(d);
		if (p[1].revents)
			lkpd_ctl_accept(d);
		while (p[2].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				lkpd_log(LKPD_INFO, "SIGHUP: reading the store again");
				lkpd_store_sync(d, true);
				continue;
			}
			lkpd_log(LKPD_INFO, "signal %d: stopping", (int)si.ssi_signo);
			return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct lkpd d = { .dev = -1, .ch = -1, .listen = -1, .ifd = -1 };
	int sfd, ret;

	lkp_prog = "lkpd";
	ret = parse(argc, argv, &d.o);
	if (ret)
		return ret == 1 ? 0 : 2;
	lkpd_verbose = d.o.verbose;
	/* Line by line: the journal (or a test) sees each line when it happens. */
	setvbuf(stderr, NULL, _IOLBF, 0);
	d.started_ms = lkpd_now_ms();
	d.next_rescan_ms = d.started_ms + d.o.rescan_ms;
	sfd = signals_fd();
	if (sfd < 0) {
		lkp_error("signalfd", sfd, "cannot take signals");
		return 1;
	}
	ret = start(&d);
	if (!ret) {
		lkpd_notify("READY=1");
		ret = loop(&d, sfd);
		lkpd_notify("STOPPING=1");
	}
	lkpd_watch_stop(&d);
	lkpd_fswatch_close(&d);
	if (d.listen >= 0)
		unlink(d.o.socket);
	/* Closing the channel lets every held process go on, and removes the points. */
	if (d.ch >= 0)
		close(d.ch);
	return ret ? 1 : 0;
}
