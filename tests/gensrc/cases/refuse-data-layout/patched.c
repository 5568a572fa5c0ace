struct stats {
	long hits;
	long misses;
	long last;
};

struct stats stats;

void hit(void)
{
	stats.hits++;
	stats.last = stats.hits;
}
