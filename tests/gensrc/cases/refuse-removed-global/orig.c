int legacy_flag = 3;
int mode = 1;

int get_mode(void)
{
	return mode + legacy_flag;
}
