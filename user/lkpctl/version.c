// SPDX-License-Identifier: GPL-2.0
/* version.c: `lkpctl version`: the tool's version and the module's API handshake. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "dev.h"
#include "lkpctl.h"
#include "out.h"

static const char *lkp_ioctl_names[64] = {
	[LKP_IOC_NR_GET_API] = "GET_API",
	[LKP_IOC_NR_ATTACH] = "ATTACH",
	[LKP_IOC_NR_FREEZE] = "FREEZE",
	[LKP_IOC_NR_THAW] = "THAW",
	[LKP_IOC_NR_GET_THREADS] = "GET_THREADS",
	[LKP_IOC_NR_STACK_CHECK] = "STACK_CHECK",
	[LKP_IOC_NR_POKE] = "POKE",
	[LKP_IOC_NR_MAP] = "MAP",
	[LKP_IOC_NR_UNMAP] = "UNMAP",
	[LKP_IOC_NR_TRANSACTION] = "TRANSACTION",
};

static const char version_usage[] =
	"usage: lkpctl [--json] version [--json]\n"
	"\n"
	"Print lkpctl's version and the loaded module's API: its version, feature\n"
	"bits and the ioctls it supports. Without lkp.ko the exit status is 1.\n"
	"\n"
	"  -j, --json     one JSON object: lkpctl, api_version, features, struct_size, ioctls\n"
	"  -h, --help     this text\n";

int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lkp_api api;
	const char *sep = "";
	unsigned int i;
	int c, fd, ret;

	optind = 0;	/* as in cmd_info: also resets main()'s "+" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			lkp_json = true;
			break;
		case 'h':
			fputs(version_usage, stdout);
			return 0;
		default:
			lkp_error(argv[optind - 1], EINVAL, "unknown option; see lkpctl version --help");
			return LKPCTL_USAGE;
		}
	}
	if (optind < argc) {
		lkp_error(argv[optind], EINVAL, "unexpected argument; see lkpctl version --help");
		return LKPCTL_USAGE;
	}
	fd = lkp_dev_open();
	if (fd < 0) {
		lkp_error(LKP_DEV_PATH, fd, "is lkp.ko loaded? (modprobe lkp)");
		return fd;
	}
	ret = lkp_dev_get_api(fd, &api);
	close(fd);
	if (ret) {
		lkp_error(LKP_DEV_PATH, ret, "LKP_IOC_GET_API failed");
		return ret;
	}
	if (lkp_json) {
		printf("{\"lkpctl\":\"%s\",\"api_version\":%u,\"features\":%llu,"
		       "\"struct_size\":%u,\"ioctls\":[", LKPCTL_VERSION, api.version,
		       (unsigned long long)api.features, api.struct_size);
		for (i = 0; i < 64; i++) {
			if (!(api.ioctls & (1ULL << i)))
				continue;
			printf("%s\"%s\"", sep, lkp_ioctl_names[i] ? lkp_ioctl_names[i] : "?");
			sep = ",";
		}
		printf("]}\n");
		return 0;
	}
	printf("lkpctl %s\nmodule API version %u, features 0x%llx, ioctls:",
	       LKPCTL_VERSION, api.version, (unsigned long long)api.features);
	for (i = 0; i < 64; i++)
		if (api.ioctls & (1ULL << i))
			printf(" %s", lkp_ioctl_names[i] ? lkp_ioctl_names[i] : "?");
	printf("\n");
	return 0;
}
