static __thread int tid;

int next_id(void)
{
	static int id;

	tid++;
	return ++id + tid;
}
