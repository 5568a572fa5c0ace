/* SPDX-License-Identifier: GPL-2.0 */
/* lkpctl.h: the subcommand table entry and the subcommands. */
#ifndef LKPCTL_H
#define LKPCTL_H

#define LKPCTL_VERSION "0.1.0"

struct lkpctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);	/* 0 or -errno, error printed */
	const char *help;
};

int cmd_info(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif /* LKPCTL_H */
