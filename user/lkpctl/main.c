// SPDX-License-Identifier: GPL-2.0
/* main.c: lkpctl's option parsing and subcommand dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "lkpctl.h"
#include "out.h"

static const struct lkpctl_cmd cmds[] = {
	{ "apply", cmd_apply, "patch running processes, in one transaction each" },
	{ "undo", cmd_undo, "take a process's patches back" },
	{ "list", cmd_list, "the patches applied in processes" },
	{ "info", cmd_info, "decode and validate a patch file (.lkpp)" },
	{ "stack", cmd_stack, "show every thread of a process with its backtrace" },
	{ "install", cmd_install, "install patches for good: lkpd applies them to every process" },
	{ "uninstall", cmd_uninstall, "remove installed patches; lkpd takes them back" },
	{ "status", cmd_status, "what lkpd does: patches installed, processes patched, held, failed" },
	{ "version", cmd_version, "show lkpctl's version and the loaded module's API" },
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: lkpctl [--json] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\noptions:\n  -j, --json  machine-readable output (errors too)\n"
		   "  -h, --help  this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int i;
	int c, ret;

	lkp_prog = "lkpctl";
	/* '+': stop at the subcommand, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			lkp_json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[optind], cmds[i].name)) {
			ret = cmds[i].fn(argc - optind, argv + optind);
			return ret == LKPCTL_USAGE ? 2 : ret == LKPCTL_BUSY ? 3 : ret ? 1 : 0;
		}
	lkp_error(argv[optind], 0, "unknown command; see lkpctl --help");
	return 2;
}
