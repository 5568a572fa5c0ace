#include <vector>

struct Acc {
	int total = 0;
	int limit = 1000;
	void add(int v);
};

void Acc::add(int v)
{
	total += v;
	if (total > limit)
		total = limit - 1;
}

template <typename T> __attribute__((noinline)) T sum(const std::vector<T> &v)
{
	T s = 0;
	for (auto x : v)
		s += x;
	return s;
}

int use(const std::vector<int> &v)
{
	Acc a;
	a.add(sum(v));
	return a.total;
}
