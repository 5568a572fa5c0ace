// SPDX-License-Identifier: GPL-2.0
/* list.c: `lkpctl list`: the patches applied in processes, read from the processes themselves. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ehreg.h"
#include "lkpctl.h"
#include "lkpp.h"
#include "out.h"
#include "record.h"

static const char list_usage[] =
	"usage: lkpctl [--json] list [-p PID | --all]\n"
	"\n"
	"The patches applied in a process, as lkp recorded them in the process's own\n"
	"memory: true whoever applied them, after the tool that did was killed, and in\n"
	"children forked since. A patch is live when every one of its jumps (or its\n"
	"functions' code written in place) is in place,\n"
	"stale when none is (an apply killed before its transaction: `lkpctl undo`\n"
	"cleans it up). --all lists every process with a patch.\n"
	"\n"
	"  -p, --pid PID  the process (no -p: --all)\n"
	"  -a, --all      every process\n"
	"  -j, --json     one JSON object per process: pid, comm, patches (patch,\n"
	"                 build_id, object, file, state live|stale|partial, applied_at,\n"
	"                 call_sites (direct calls retargeted at the new code),\n"
	"                 in_place (functions whose new code replaced the old in place),\n"
	"                 unwind (registered, not registered, partly registered,\n"
	"                 unknown, none: whether the process's libgcc knows the\n"
	"                 new code's unwind rules), supersedes (the ids of the patch\n"
	"                 levels this one replaces, which apply will not bring back\n"
	"                 over it), functions)\n"
	"  -h, --help     this text\n";

static const char *state(const struct lkp_applied *a)
{
	if (!a->nr_live)
		return "stale";
	return a->nr_live == a->hdr->nr_funcs ? "live" : "partial";
}

static void comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static void print(const struct lkp_session *s, pid_t pid, const struct lkp_applied *v,
		  unsigned int n)
{
	char comm[32], bid[2 * LKPP_BUILD_ID_MAX + 1];
	unsigned int i, k;

	comm_of(pid, comm, sizeof(comm));
	if (lkp_json) {
		printf("{\"pid\":%d,\"comm\":", (int)pid);
		lkp_json_str(stdout, comm);
		printf(",\"patches\":[");
	} else if (!n) {
		printf("%d %s: no patches\n", (int)pid, comm);
	}
	for (i = 0; i < n; i++) {
		const struct lkp_applied *a = &v[i];

		lkpp_build_id_hex(a->hdr->build_id, a->hdr->build_id_size, bid);
		if (!lkp_json) {
			printf("%d %s: %016" PRIx64 " %s %s (%s), %u function%s\n", (int)pid, comm,
			       a->hdr->patch_id, state(a), lkp_rec_str(a, a->hdr->object_off), bid,
			       a->hdr->nr_funcs, a->hdr->nr_funcs == 1 ? "" : "s");
			for (k = 0; k < a->hdr->nr_funcs; k++)
				printf("    %s%s\n", lkp_rec_str(a, a->funcs[k].name_off),
				       a->inplace[k] ? " (in place)" : "");
			continue;
		}
		printf("%s{\"patch\":\"%016" PRIx64 "\",\"build_id\":\"%s\",\"object\":",
		       i ? "," : "", a->hdr->patch_id, bid);
		lkp_json_str(stdout, lkp_rec_str(a, a->hdr->object_off));
		printf(",\"file\":");
		lkp_json_str(stdout, lkp_rec_str(a, a->hdr->patch_off));
		printf(",\"state\":\"%s\",\"applied_at\":%" PRIu64 ",\"address\":\"0x%" PRIx64
		       "\",\"call_sites\":%u,\"in_place\":%u,\"unwind\":\"%s\",",
		       state(a), a->hdr->applied_at, a->rec_addr, a->nr_sites_live,
		       a->hdr->nr_inplace, lkp_eh_state(s, a));
		printf("\"supersedes\":[");
		for (k = 0; k < a->nr_supersedes; k++)
			printf("%s\"%016" PRIx64 "\"", k ? "," : "", a->supersedes[k]);
		printf("],\"functions\":[");
		for (k = 0; k < a->hdr->nr_funcs; k++) {
			if (k)
				putchar(',');
			lkp_json_str(stdout, lkp_rec_str(a, a->funcs[k].name_off));
		}
		printf("]}");
	}
	if (lkp_json)
		printf("]}\n");
}

/*
 * The records of pid through a read-only look at its memory: no session,
 * no freeze; s keeps the look open for print() (close its mem_fd after).
 */
static int read_pid(pid_t pid, struct lkp_applied **v, unsigned int *n, struct lkp_session *s)
{
	char path[64];
	int ret;

	*s = (struct lkp_session){ .pid = pid, .fd = -1 };
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	s->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->mem_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ret = lkp_records_read(s, v, n);
	if (ret)
		close(s->mem_fd);
	return ret;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lkp_applied *v;
	struct lkp_session s;
	unsigned int n;
	struct dirent *d;
	char *end;
	long pid = 0;
	DIR *dir;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:ajh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0 || pid > 0x3fffffff) {
				lkp_error(optarg, 0, "not a process id");
				return LKPCTL_USAGE;
			}
			break;
		case 'a':
			break;
		case 'j':
			lkp_json = true;
			break;
		case 'h':
			fputs(list_usage, stdout);
			return 0;
		default:
			fputs(list_usage, stderr);
			return LKPCTL_USAGE;
		}
	}
	if (optind < argc) {
		fputs(list_usage, stderr);
		return LKPCTL_USAGE;
	}
	if (pid) {
		ret = read_pid(pid, &v, &n, &s);
		if (ret) {
			char obj[32];

			snprintf(obj, sizeof(obj), "%ld", pid);
			lkp_error(obj, ret, "cannot read the process's memory");
			return ret;
		}
		print(&s, pid, v, n);
		close(s.mem_fd);
		lkp_applied_free(v, n);
		return 0;
	}
	dir = opendir("/proc");
	if (!dir) {
		lkp_error("/proc", errno, "cannot list the processes");
		return -errno;
	}
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = atol(d->d_name);
		if (read_pid(pid, &v, &n, &s))
			continue;
		if (n)
			print(&s, pid, v, n);
		close(s.mem_fd);
		lkp_applied_free(v, n);
	}
	closedir(dir);
	return 0;
}
