// SPDX-License-Identifier: GPL-2.0
/* cxxprog.cpp: calls cxx_answer() in main; "wait": then, at a line of stdin, catches what it throws through cxx_answer(). */
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "cxxans.h"

int main(int argc, char **argv)
{
	char line[64];

	std::printf("cxx %d\n", cxx_answer(1));
	std::fflush(stdout);
	/* Waits asleep in read(): lkpd can lend this thread to register the rules. */
	if (argc > 1 && !std::strcmp(argv[1], "wait") && !std::fgets(line, sizeof(line), stdin))
		return 1;
	try {
		std::printf("returned %d\n", cxx_answer(-1));
	} catch (const std::out_of_range &e) {
		std::printf("caught %s\n", e.what());
	}
	return 0;
}
