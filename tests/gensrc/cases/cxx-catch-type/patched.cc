#include <stdexcept>

extern int parse(const char *s);

int parse_or(const char *s, int fallback)
{
	try {
		return parse(s);
	} catch (const std::out_of_range &) {
		return fallback;
	}
}
