extern void sink(int);

static __attribute__((noinline)) void emit(int kind, int v)
{
	for (int i = 0; i < kind; i++)
		sink(v + 2 * i);
}

void a(int v)
{
	emit(3, v);
}

void b(int v)
{
	emit(3, v + 7);
}
