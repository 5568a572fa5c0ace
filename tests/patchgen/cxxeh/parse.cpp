// SPDX-License-Identifier: GPL-2.0
/* parse.cpp: case "cxxeh": describe() catches what parse_port() throws; parse_port() and quoted() have cleanups; the fix changes them and the template clamp<int>. */
#include <cstdio>
#include <stdexcept>
#include "parse.h"

namespace conf {

/* Its destructor says when parse_port() is left, by a return or by an exception (a cleanup). */
struct leave_note {
	const char *what;
	~leave_note() { std::printf("  (left %s)\n", what); }
};

/*
 * An inline template with a cleanup (r is destroyed when an append throws):
 * a COMDAT function with landing pads and no .cold part.
 */
template <typename T> std::string quoted(const T &v)
{
	std::string r("'");

	r += v;
	r += "'";
	return r;
}

/* An instantiated template: a weak function in its own COMDAT group. */
template <typename T> T clamp(T v, T lo, T hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int parse_port(const std::string &s)
{
	leave_note note{"parse_port"};
	std::size_t used = 0;
	int port = std::stoi(s, &used);

	if (used != s.size())
		throw std::invalid_argument("trailing characters in " + quoted(s));
	return clamp<int>(port, 1, 65535);
}

std::string describe(const std::string &s)
{
	try {
		return "port " + std::to_string(parse_port(s));
	} catch (const std::invalid_argument &e) {
		return std::string("invalid: ") + e.what();
	} catch (const std::exception &e) {
		return std::string("error: ") + e.what();
	}
}

template int clamp<int>(int, int, int);

}
