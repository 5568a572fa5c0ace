struct req {
	int a, b, c;
	char pad[32];
};

static __attribute__((noinline)) int weigh(const struct req *r, int k)
{
	return r->a * k + r->c;
}

static __attribute__((noinline)) int middle(const struct req *r, int k)
{
	return weigh(r, k) + weigh(r, k + 1);
}

int total(const struct req *r, int k)
{
	return middle(r, k) * 2;
}
