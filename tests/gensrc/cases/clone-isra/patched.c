struct conf {
	int pad[16];
	int level;
};

static __attribute__((noinline)) int weight(const struct conf *c, int x)
{
	return c->level * x + 4;
}

int score(const struct conf *c, int x)
{
	return weight(c, x) + weight(c, x + 1);
}
