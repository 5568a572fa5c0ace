// SPDX-License-Identifier: GPL-2.0
/* child.c: the process target_test inspects: it reports what its loader resolved, then waits. */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libtls.h"

/* Exported (-rdynamic), so that the test finds it among the dynamic symbols. */
__thread long exe_tls = 7;

static long tls_off(const void *p)
{
	return (long)((const char *)p - (const char *)__builtin_thread_pointer());
}

static int object(struct dl_phdr_info *info, size_t size, void *data)
{
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const unsigned char *desc = (const unsigned char *)(n + 1) +
						    ((n->n_namesz + 3) & ~3u);
			unsigned int k;

			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4) {
				printf("object %lx ", (unsigned long)info->dlpi_addr);
				for (k = 0; k < n->n_descsz; k++)
					printf("%02x", desc[k]);
				printf(" %s\n", *info->dlpi_name ? info->dlpi_name : "exe");
				return 0;
			}
			p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

/* The TLS module id of libtls.so, what general-dynamic TLS references need. */
static void print_modid(void)
{
	void *h = dlopen("libtls.so", RTLD_NOLOAD | RTLD_LAZY);
	size_t modid = 0;

	if (h && !dlinfo(h, RTLD_DI_TLS_MODID, &modid))
		printf("lib_modid %zu\n", modid);
	if (h)
		dlclose(h);
}

int main(void)
{
	char line[16] = "";

	dl_iterate_phdr(object, NULL);
	printf("printf %p\n", dlsym(RTLD_DEFAULT, "printf"));
	printf("memcpy@GLIBC_2.2.5 %p\n", dlvsym(RTLD_DEFAULT, "memcpy", "GLIBC_2.2.5"));
	printf("memcpy@GLIBC_2.14 %p\n", dlvsym(RTLD_DEFAULT, "memcpy", "GLIBC_2.14"));
	printf("strlen %p\n", dlsym(RTLD_DEFAULT, "strlen"));
	printf("lib_counter %p\n", (void *)&lib_counter);
	printf("exe_tls %ld\n", tls_off(&exe_tls));
	printf("lib_tls %ld\n", tls_off(&lib_tls));
	print_modid();
	printf("ready %ld\n", lib_counter + exe_tls + lib_tls + (long)strlen(line));
	fflush(stdout);
	/* Wait for the test to finish looking. */
	while (read(0, line, sizeof(line)) > 0)
		;
	return 0;
}
