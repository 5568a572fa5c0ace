extern void use(int);

int work_limit = 64;
static int worked;

static __attribute__((noinline)) int clamp(int x)
{
	return x > work_limit ? work_limit : x;
}

void work(int x)
{
	worked++;
	use(clamp(x) + worked);
}
