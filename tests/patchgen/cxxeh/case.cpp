// SPDX-License-Identifier: GPL-2.0
/* case.cpp: case "cxxeh": describes a few port strings. */
#include <cstdio>
#include "case.h"
#include "parse.h"

void run(void)
{
	static const char *const inputs[] = { "8080", "99999", "80x", "abc", "+80", "99999999999" };

	for (const char *in : inputs) {
		std::string d = conf::describe(in);

		std::printf("%s: %s\n", in, d.c_str());
	}
}
