// SPDX-License-Identifier: GPL-2.0
/* cxxans.cpp: cxxprog's patched function, cxx_answer(), through which cxx_check() throws (fix.diff: 42 becomes 43). */
#include <stdexcept>
#include <string>

#include "cxxans.h"

int cxx_calls;
int cxx_last;

/* Not inlined: the throw comes from a frame below cxx_answer()'s. */
__attribute__((noinline)) int cxx_check(int v, int answer)
{
	if (v < 0)
		throw std::out_of_range("answer " + std::to_string(answer));
	return answer;
}

/*
 * No handler of its own, and no tail call: a throw unwinds through its
 * frame. The fix also grows it, so that its new code does not fit in
 * place and is reached by the jump: only the patch's own unwind rules,
 * registered in the process, describe it there.
 */
__attribute__((noinline)) int cxx_answer(int v)
{
	int r = cxx_check(v, 42);

	cxx_calls++;
	return r;
}
