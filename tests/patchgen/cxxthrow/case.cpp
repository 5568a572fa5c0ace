// SPDX-License-Identifier: GPL-2.0
/* case.cpp: case "cxxthrow": catches what check_port() throws through the patched scaled_port(). */
#include <cstdio>
#include <stdexcept>
#include "case.h"
#include "port.h"

void run(void)
{
	static const int inputs[] = { 100, 40000, -5 };

	for (int p : inputs) {
		try {
			std::printf("%d: %d\n", p, net::scaled_port(p));
		} catch (const std::out_of_range &e) {
			std::printf("%d: %s\n", p, e.what());
		}
	}
	/* Cut at scaled_port() (2 or 3 frames) when its rules are unknown. */
	std::printf("backtrace from scaled_port(): %s\n",
		    net::last_depth >= 4 ? "reaches its callers" : "cut short");
}
