// SPDX-License-Identifier: GPL-2.0
/* port.cpp: case "cxxthrow": check_port() throws; scaled_port(), which the fix changes, calls it and has no handler of its own. */
#include <stdexcept>
#include "port.h"

namespace net {

/* Not inlined: the throw must come from a frame below scaled_port()'s. */
__attribute__((noinline)) int check_port(int p)
{
	if (p <= 0 || p > 65535)
		throw std::out_of_range("not a port");
	return p;
}

int scaled_port(int p)
{
	return check_port(p * 2) + 1;
}

}
