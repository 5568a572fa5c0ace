int mode = 1;

int get_mode(void)
{
	return mode;
}
