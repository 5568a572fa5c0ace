// SPDX-License-Identifier: GPL-2.0
/* port.cpp: case "cxxthrow": check_port() throws; scaled_port(), which the fix changes, calls it and has no handler of its own. */
#include <execinfo.h>
#include <stdexcept>
#include "port.h"

namespace net {

int last_depth;

/* Not inlined: the throw must come from a frame below scaled_port()'s. */
__attribute__((noinline)) int check_port(int p)
{
	if (p <= 0 || p > 65535)
		throw std::out_of_range("not a port");
	return p;
}

/* Not inlined either: backtrace() must unwind through scaled_port()'s frame. */
__attribute__((noinline)) int stack_depth(void)
{
	void *frames[64];

	return backtrace(frames, 64);
}

int scaled_port(int p)
{
	last_depth = stack_depth();
	return check_port(p * 2) + 1;
}

}
