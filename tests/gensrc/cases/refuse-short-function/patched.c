int zero(void)
{
	return 7;
}
