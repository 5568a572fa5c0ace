// SPDX-License-Identifier: GPL-2.0
/* cxxprog.cpp: cxx_answer() in main, then a throw through it caught ("wait": after a line of stdin; "wait2": then a byte of fd 3). */
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

#include "cxxans.h"

int main(int argc, char **argv)
{
	char line[64];

	std::printf("cxx %d\n", cxx_answer(1));
	std::fflush(stdout);
	/*
	 * Waits asleep in read(). Of a pipe, lkpd can lend this thread to
	 * register the rules; of a socket (the tests' sockstdin), it cannot.
	 */
	if (argc > 1 && (!std::strcmp(argv[1], "wait") || !std::strcmp(argv[1], "wait2")) &&
	    !std::fgets(line, sizeof(line), stdin))
		return 1;
	if (argc > 1 && !std::strcmp(argv[1], "wait2")) {
		std::printf("next\n");
		std::fflush(stdout);
		if (read(3, line, 1) != 1)
			return 1;
	}
	try {
		std::printf("returned %d\n", cxx_answer(-1));
	} catch (const std::out_of_range &e) {
		std::printf("caught %s\n", e.what());
	}
	return 0;
}
