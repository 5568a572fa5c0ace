// SPDX-License-Identifier: GPL-2.0
/* watch_helper.c: the programs watch_test execs; built plain (watch_helper) and linked with libwatched.so (watch_linked). */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * watch_helper               exit 0
 * watch_helper dlopen LIB SYM
 *                            map LIB without PROT_EXEC (which must not be
 *                            reported), then dlopen it; print the address
 *                            of SYM
 * watch_linked               print the address of watched_fn (linked)
 */
#ifdef WATCH_LINKED
int watched_fn(int x);

int main(void)
{
	printf("%p\n", (void *)watched_fn);
	return watched_fn(-1);
}
#else
static int map_readonly(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return -1;
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	return munmap(p, 4096);
}

int main(int argc, char **argv)
{
	void *h, *fn;

	if (argc == 1)
		return 0;
	if (argc != 4 || strcmp(argv[1], "dlopen")) {
		fprintf(stderr, "usage: %s [dlopen LIB SYM]\n", argv[0]);
		return 2;
	}
	if (map_readonly(argv[2])) {
		perror(argv[2]);
		return 1;
	}
	h = dlopen(argv[2], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	fn = dlsym(h, argv[3]);
	if (!fn)
		return 1;
	printf("%p\n", fn);
	return 0;
}
#endif
