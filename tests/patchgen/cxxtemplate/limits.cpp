// SPDX-License-Identifier: GPL-2.0
/* limits.cpp: case "cxxtemplate": clamp<T> is instantiated as weak functions in COMDAT groups; the fix changes it and adds clamp<short>. */
#include "limits.h"

namespace conf {

template <typename T> __attribute__((noinline)) T clamp(T v, T lo, T hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int port_of(int raw)
{
	return clamp<int>(raw, 1, 65535);
}

long size_of(long raw)
{
	return clamp<long>(raw, 0, 1L << 40);
}

}
