// SPDX-License-Identifier: GPL-2.0
/* sum.c: case "ifunc": sum_bytes() is an IFUNC whose resolver picks one of two equal implementations. */
#include <stddef.h>
#include "sum.h"

static unsigned int sum_bytes_plain(const unsigned char *p, size_t n)
{
	unsigned int s = 0;

	while (n--)
		s += *p++;
	return s;
}

static unsigned int sum_bytes_unrolled(const unsigned char *p, size_t n)
{
	unsigned int s = 0;

	for (; n >= 2; n -= 2, p += 2)
		s += p[0] + p[1];
	if (n)
		s += p[0];
	return s;
}

/* Both give the same result, so the output does not depend on the CPU. */
static void *resolve_sum_bytes(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("sse2"))
		return sum_bytes_unrolled;
	return sum_bytes_plain;
}

unsigned int sum_bytes(const unsigned char *p, size_t n)
	__attribute__((ifunc("resolve_sum_bytes")));
