/* SPDX-License-Identifier: GPL-2.0 */
/* parse.h: the C++ functions of parse.cpp. */
#ifndef PARSE_H
#define PARSE_H
#include <string>

namespace conf {

int parse_port(const std::string &s);
std::string describe(const std::string &s);

}

#endif
