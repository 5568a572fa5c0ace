/* SPDX-License-Identifier: GPL-2.0 */
/* mcload.h: the record mcload writes per request and mcstat reads. */
#ifndef MCLOAD_H
#define MCLOAD_H

#include <stdint.h>

enum mc_kind {
	MC_SET,
	MC_GET,
	MC_ME_OLD,	/* "me probe" answered with exp < 0: memcached's bug */
	MC_ME_NEW,	/* "me probe" answered with exp > 0: the fix */
};

/* Native byte order: written and read on the same machine. */
struct mc_rec {
	uint64_t t_ns;		/* CLOCK_REALTIME when the request was sent */
	uint64_t lat_ns;	/* until its whole answer was read */
	uint8_t kind;		/* enum mc_kind */
	uint8_t ok;		/* 0: a failed request */
	uint8_t pad[6];
};

#endif
