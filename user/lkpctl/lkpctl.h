/* SPDX-License-Identifier: GPL-2.0 */
/* lkpctl.h: the subcommand table entry and the subcommands. */
#ifndef LKPCTL_H
#define LKPCTL_H

#define LKPCTL_VERSION "0.1.0"

/* A subcommand's usage error (printed already): lkpctl exits 2, as for its own. */
#define LKPCTL_USAGE	1

struct lkpctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);	/* 0, -errno or LKPCTL_USAGE; error printed */
	const char *help;
};

int cmd_info(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif /* LKPCTL_H */
