extern int ext(int);

int first(void)
{
	static int ticket;

	return ext(++ticket);
}

int second(void)
{
	static int ticket = 100;

	return ext(++ticket);
}

int third(void)
{
	static int ticket = 1000;

	return ext(++ticket);
}
