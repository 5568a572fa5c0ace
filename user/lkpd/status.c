// SPDX-License-Identifier: GPL-2.0
/* status.c: what `lkpctl status` shows: installed patches and their files, processes patched, holds, failures. */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "lkpd.h"
#include "out.h"

static unsigned int procs_with(const struct lkpd *d, uint64_t id)
{
	unsigned int i, k, n = 0;

	for (i = 0; i < d->nr_procs; i++)
		for (k = 0; k < d->procs[i].nr_ids; k++)
			n += d->procs[i].ids[k] == id;
	return n;
}

static void patches(const struct lkpd *d, FILE *f, bool json)
{
	char hex[2 * LKPP_BUILD_ID_MAX + 1];
	unsigned int i, k, nf;

	if (json)
		fprintf(f, "\"patches\":[");
	else
		fprintf(f, "installed: %u patch%s\n", d->ps.n, d->ps.n == 1 ? "" : "es");
	for (i = 0; i < d->ps.n; i++) {
		const struct lkp_patchfile *pf = &d->ps.v[i];

		lkpp_build_id_hex(pf->p->build_id, pf->p->build_id_size, hex);
		if (json) {
			fprintf(f, "%s{\"patch\":\"%016" PRIx64 "\",\"build_id\":\"%s\",\"target\":",
				i ? "," : "", pf->id, hex);
			lkp_json_str(f, pf->p->target_name);
			fprintf(f, ",\"file\":");
			lkp_json_str(f, pf->path);
			fprintf(f, ",\"functions\":%u,\"processes\":%u,\"held_files\":[",
				pf->p->nr_funcs, procs_with(d, pf->id));
		} else {
			fprintf(f, "  %016" PRIx64 " %s (%s), %u function%s, %u process%s\n", pf->id,
				hex, pf->p->target_name, pf->p->nr_funcs,
				pf->p->nr_funcs == 1 ? "" : "s", procs_with(d, pf->id),
				procs_with(d, pf->id) == 1 ? "" : "es");
		}
		for (k = 0, nf = 0; k < d->nr_files; k++) {
			const struct lkpd_file *fl = &d->files[k];

			if (fl->patch != i)
				continue;
			if (json) {
				fprintf(f, "%s{\"path\":", nf ? "," : "");
				lkp_json_str(f, fl->path);
				fprintf(f, ",\"hold\":\"%s\",\"offset\":%" PRIu64 ",\"held\":%s}",
					fl->kind ? fl->kind : "none", fl->offset,
					fl->point ? "true" : "false");
			} else {
				fprintf(f, "    held in %s at its %s (0x%" PRIx64 ")%s\n", fl->path,
					fl->kind ? fl->kind : "(no hold point)", fl->offset,
					fl->point ? "" : ": NOT HELD");
			}
			nf++;
		}
		if (json)
			fprintf(f, "]}");
		else if (!nf)
			fprintf(f, "    no file with its build-id: new processes are not held\n");
	}
	if (json)
		fprintf(f, "],");
}

static void processes(const struct lkpd *d, FILE *f, bool json)
{
	unsigned int i, k;

	if (json)
		fprintf(f, "\"processes\":[");
	else
		fprintf(f, "processes patched: %u\n", d->nr_procs);
	for (i = 0; i < d->nr_procs; i++) {
		const struct lkpd_proc *p = &d->procs[i];

		if (json) {
			fprintf(f, "%s{\"pid\":%d,\"comm\":", i ? "," : "", (int)p->pid);
			lkp_json_str(f, p->comm);
			fprintf(f, ",\"patches\":[");
		} else {
			fprintf(f, "  %d %s:", (int)p->pid, p->comm);
		}
		for (k = 0; k < p->nr_ids; k++)
			fprintf(f, json ? "%s\"%016" PRIx64 "\"" : "%s%016" PRIx64, json && k ? "," : " ",
				p->ids[k]);
		fprintf(f, json ? "]}" : "\n");
	}
	if (json)
		fprintf(f, "],");
}

static void failures(const struct lkpd *d, FILE *f, bool json)
{
	uint64_t now = lkpd_now_ms();
	unsigned int i;

	if (json)
		fprintf(f, "\"failed\":[");
	else
		fprintf(f, "failed: %u\n", d->nr_fails);
	for (i = 0; i < d->nr_fails; i++) {
		const struct lkpd_failure *x = &d->fails[i];
		uint64_t in = x->next_ms > now ? x->next_ms - now : 0;

		if (json) {
			fprintf(f, "%s{\"pid\":%d,\"comm\":", i ? "," : "", (int)x->pid);
			lkp_json_str(f, x->comm);
			fprintf(f, ",\"errno\":%d,\"message\":", -x->err);
			lkp_json_str(f, strerror(-x->err));
			fprintf(f, ",\"reason\":");
			lkp_json_str(f, x->reason);
			fprintf(f, ",\"attempts\":%u,\"retry_in_ms\":%" PRIu64 "}", x->attempts, in);
		} else {
			fprintf(f, "  %d %s: %s: %s (%u attempt%s, next in %.1f s)\n", (int)x->pid,
				x->comm, strerror(-x->err), x->reason, x->attempts,
				x->attempts == 1 ? "" : "s", in / 1e3);
		}
	}
	if (json)
		fprintf(f, "],");
}

void lkpd_status(struct lkpd *d, FILE *f, bool json)
{
	uint64_t up = lkpd_now_ms() - d->started_ms;
	double avg = d->holds ? d->hold_us_sum / 1e3 / d->holds : 0;

	lkpd_procs_prune(d);
	if (json) {
		fprintf(f, "{\"lkpd\":{\"pid\":%d,\"store\":", (int)getpid());
		lkp_json_str(f, d->o.store);
		fprintf(f, ",\"socket\":");
		lkp_json_str(f, d->o.socket);
		fprintf(f, ",\"hold_timeout_ms\":%u,\"uptime_ms\":%" PRIu64 "},", d->o.hold_timeout_ms,
			up);
	} else {
		fprintf(f, "lkpd %d: store %s, hold timeout %u ms, up %.0f s\n", (int)getpid(),
			d->o.store, d->o.hold_timeout_ms, up / 1e3);
	}
	patches(d, f, json);
	processes(d, f, json);
	if (json)
		fprintf(f, "\"holds\":{\"now\":%u,\"total\":%" PRIu64 ",\"patched\":%" PRIu64
			",\"failed\":%" PRIu64 ",\"late\":%" PRIu64 ",\"ms_avg\":%.3f,\"ms_max\":%.3f,"
			"\"ms_last\":%.3f,\"unwind_registered\":%" PRIu64 ",\"unwind_failed\":%" PRIu64
			"},\"applied\":%" PRIu64 ",", d->held_now, d->holds, d->holds_patched,
			d->holds_failed, d->holds_late, avg, d->hold_us_max / 1e3,
			d->hold_us_last / 1e3, d->eh_registered, d->eh_failed, d->applied);
	else
		fprintf(f, "held: %u now, %" PRIu64 " served (%" PRIu64 " patched, %" PRIu64
			" failed, %" PRIu64 " released by the kernel first), %.2f ms average, "
			"%.2f ms max\n"
			"unwind rules registered after release: %" PRIu64 " processes, %" PRIu64
			" could not be\n", d->held_now, d->holds, d->holds_patched, d->holds_failed,
			d->holds_late, avg, d->hold_us_max / 1e3, d->eh_registered, d->eh_failed);
	failures(d, f, json);
	lkpd_watch_status(d, f, json);
	fprintf(f, json ? "}\n" : "");
}
