int first(int x)
{
	if (x < 0)
		return -1;
	if (x > 1000)
		return 1000;
	return x * 2 + 1;
}

int second(int n, int *v)
{
	int s = 0;

	for (int i = 0; i < n; i++) {
		if (v[i] > 10)
			s += v[i];
		else if (v[i] < -3)
			s -= 7;
	}
	return s;
}
