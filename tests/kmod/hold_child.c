// SPDX-License-Identifier: GPL-2.0
/*
 * hold_child.c: what hold_test holds. Writes "main\n" to stdout first thing;
 * with "dlopen LIB", then dlopens LIB (whose constructor writes "ctor\n")
 * and writes "opened\n".
 */
#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(2);
}

int main(int argc, char **argv)
{
	say("main\n");
	if (argc == 3 && !strcmp(argv[1], "dlopen")) {
		if (!dlopen(argv[2], RTLD_NOW))
			return 1;
		say("opened\n");
	}
	return 0;
}
