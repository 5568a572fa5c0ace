// SPDX-License-Identifier: GPL-2.0
/* mode.c: case "tooshort": get_mode() compiles to 3 bytes (xor, ret), too short for a jmp rel32. */
#include "mode.h"

int get_mode(void)
{
	return 0;
}

const char *mode_name(int mode)
{
	static const char *const names[] = { "off", "on", "auto" };

	return mode >= 0 && mode < 3 ? names[mode] : "?";
}
