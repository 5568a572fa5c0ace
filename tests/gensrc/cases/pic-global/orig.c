int shared_count = 1;

int bump(int by)
{
	shared_count += by;
	return shared_count;
}
