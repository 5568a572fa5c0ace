extern void use(int);

void work(int x)
{
	use(x);
}
