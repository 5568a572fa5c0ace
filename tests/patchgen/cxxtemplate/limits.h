/* SPDX-License-Identifier: GPL-2.0 */
/* limits.h: the functions of limits.cpp. */
#ifndef LIMITS_H
#define LIMITS_H

namespace conf {

int port_of(int raw);
long size_of(long raw);

}

#endif
