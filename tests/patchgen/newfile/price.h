/* SPDX-License-Identifier: GPL-2.0 */
/* price.h: the functions of price.c. */
#ifndef PRICE_H
#define PRICE_H
int price_with_tax(int cents);
#endif
