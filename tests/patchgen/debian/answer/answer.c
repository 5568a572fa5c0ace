// SPDX-License-Identifier: GPL-2.0
// answer.c: the function the fix changes (42 for no argument).
int answer(int x)
{
	return x * 7;
}
