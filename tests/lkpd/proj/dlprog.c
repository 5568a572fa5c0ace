// SPDX-License-Identifier: GPL-2.0
/* dlprog.c: loads libans.so (next to it) with dlopen() after main started, and calls lib_answer(). */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	int (*fn)(void);
	void *h;

	printf("main\n");
	fflush(stdout);
	if (n <= 0)
		return 1;
	path[n] = '\0';
	strcpy(strrchr(path, '/') + 1, "libans.so");
	h = dlopen(path, RTLD_NOW);
	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	fn = (int (*)(void))dlsym(h, "lib_answer");
	printf("dl %d\n", fn ? fn() : -1);
	return 0;
}
