extern int ext(int);

int early(int x)
{
	return ext(x) + 1;
}

int counter(void)
{
	static int calls;

	return ++calls;
}

