int next_id(void)
{
	static int id;

	return ++id;
}
