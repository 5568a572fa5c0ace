/* SPDX-License-Identifier: GPL-2.0 */
/* shapes.h: the C++ classes and functions of shapes.cpp. */
#ifndef SHAPES_H
#define SHAPES_H
#include <string>

namespace geo {

class Rect {
public:
	Rect(int w, int h) : w_(w), h_(h) {}
	int area() const;
	std::string label() const;

private:
	int w_, h_;
};

int measure(int x);
int measure(double x);

}

#endif
