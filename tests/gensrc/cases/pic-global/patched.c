int shared_count = 1;
int shared_max = 1000;

int bump(int by)
{
	shared_count += by;
	if (shared_count > shared_max)
		shared_count = shared_max;
	return shared_count;
}
