/* SPDX-License-Identifier: GPL-2.0 */
/* lib-shape.h: the interface of libshape.so. */
#ifndef LIB_SHAPE_H
#define LIB_SHAPE_H
int shape_area(int w, int h);
int shape_perimeter(int w, int h);
#endif
