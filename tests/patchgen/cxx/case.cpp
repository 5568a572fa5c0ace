// SPDX-License-Identifier: GPL-2.0
/* case.cpp: case "cxx": prints a rectangle and two overloads of geo::measure. */
#include <cstdio>
#include "case.h"
#include "shapes.h"

void run(void)
{
	geo::Rect r(3, 7);

	std::printf("%s: area %d\n", r.label().c_str(), r.area());
	std::printf("measure(5) = %d, measure(2.75) = %d\n", geo::measure(5), geo::measure(2.75));
}
