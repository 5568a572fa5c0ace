struct stats {
	long hits;
	long misses;
};

struct stats stats;

void hit(void)
{
	stats.hits++;
}
