// SPDX-License-Identifier: GPL-2.0
/* parse.cpp: case "cxxeh": describe() catches what parse_port() throws; the fix changes describe()'s handler and the template clamp<int>. */
#include <stdexcept>
#include "parse.h"

namespace conf {

/* An instantiated template: a weak function in its own COMDAT group. */
template <typename T> T clamp(T v, T lo, T hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int parse_port(const std::string &s)
{
	std::size_t used = 0;
	int port = std::stoi(s, &used);

	if (used != s.size())
		throw std::invalid_argument("trailing characters in '" + s + "'");
	return clamp<int>(port, 1, 65535);
}

std::string describe(const std::string &s)
{
	try {
		return "port " + std::to_string(parse_port(s));
	} catch (const std::invalid_argument &e) {
		return std::string("invalid: ") + e.what();
	}
}

template int clamp<int>(int, int, int);

}
