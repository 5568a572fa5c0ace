// SPDX-License-Identifier: GPL-2.0
/* ehlive.c: registers the unwind rules of live patches applied without them (held by lkpd, or no thread to lend then). */
#include <errno.h>
#include <stdio.h>

#include "ehreg.h"

int lkp_eh_register_applied(const struct lkp_session *s, struct lkp_target *t,
			    const struct lkp_applied *a, bool *done, char *err)
{
	int ret;

	*done = false;
	/*
	 * Only a live patch: the rules of a stale or replaced one describe
	 * code nothing reaches, and its memory may go at the next release.
	 */
	if (!a->nr_eh || !lkp_applied_live(a) ||
	    !lkp_eh_any_unregistered(s, a->eh_area, a->nr_eh))
		return 0;
	ret = lkp_eh_register(s, t, a->eh_area, a->eh_stub, a->nr_eh, err);
	*done = !ret;
	return ret;
}

int lkp_eh_register_live(pid_t pid, unsigned int *nr_done, char *err)
{
	struct lkp_applied *recs = NULL;
	struct lkp_target *t = NULL;
	struct lkp_session s;
	unsigned int n = 0, i;
	bool done;
	int ret;

	*nr_done = 0;
	err[0] = '\0';
	ret = lkp_session_open(pid, &s);
	if (ret) {
		snprintf(err, LKP_ERR_SIZE, "cannot attach");
		return ret;
	}
	ret = lkp_records_read(&s, &recs, &n);
	if (ret) {
		snprintf(err, LKP_ERR_SIZE, "cannot read the records of applied patches");
		goto out;
	}
	/* Nothing to register (the usual case): no need for the target's objects. */
	for (i = 0; i < n; i++)
		if (recs[i].nr_eh && lkp_applied_live(&recs[i]) &&
		    lkp_eh_any_unregistered(&s, recs[i].eh_area, recs[i].nr_eh))
			break;
	if (i == n)
		goto out;
	ret = lkp_target_open(&s, &t, err);
	if (ret)
		goto out;
	for (i = 0; i < n && !ret; i++) {
		ret = lkp_eh_register_applied(&s, t, &recs[i], &done, err);
		*nr_done += done;
	}
out:
	lkp_target_free(t);
	lkp_applied_free(recs, n);
	lkp_session_close(&s);
	return ret;
}
