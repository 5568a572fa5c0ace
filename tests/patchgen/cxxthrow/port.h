/* SPDX-License-Identifier: GPL-2.0 */
/* port.h: the functions of port.cpp. */
#ifndef PORT_H
#define PORT_H

namespace net {

extern int last_depth;

int check_port(int p);
int scaled_port(int p);

}

#endif
