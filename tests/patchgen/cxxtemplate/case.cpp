// SPDX-License-Identifier: GPL-2.0
/* case.cpp: case "cxxtemplate": clamps a few ports and sizes. */
#include <cstdio>
#include "case.h"
#include "limits.h"

void run(void)
{
	std::printf("port_of(99999) = %d, port_of(0) = %d\n", conf::port_of(99999), conf::port_of(0));
	std::printf("size_of(-5) = %ld\n", conf::size_of(-5));
}
