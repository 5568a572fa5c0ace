/* SPDX-License-Identifier: GPL-2.0 */
/* lkpctl.h: the subcommand table entry and the subcommands. */
#ifndef LKPCTL_H
#define LKPCTL_H

#include <sys/types.h>

#include <linux/lkp.h>

#define LKPCTL_VERSION "0.1.0"

/* A subcommand's usage error (printed already): lkpctl exits 2, as for its own. */
#define LKPCTL_USAGE	1

/* A thread stayed in the way of a transaction through every attempt: lkpctl exits 3. */
#define LKPCTL_BUSY	3

struct lkpctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);	/* 0, -errno or LKPCTL_USAGE; error printed */
	const char *help;
};

int cmd_apply(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stack(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_undo(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* After a busy transaction: the thread in the way (and, with unwinding, its backtrace). */
void lkpctl_print_blocker(pid_t pid, const struct lkp_blocker *b);

#endif /* LKPCTL_H */
