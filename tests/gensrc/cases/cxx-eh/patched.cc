#include <string>

extern void consume(const std::string &);

int greet(int n)
{
	std::string s(n, 'x');

	consume(s);
	return (int)s.size() + 1;
}
