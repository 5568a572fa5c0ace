// SPDX-License-Identifier: GPL-2.0
/* mcload: a memcached load client that records every request's send time, latency and answer. */
/*
 * wrk and ab speak HTTP only, and memcached speaks its own text protocol;
 * this client also keeps every request instead of a histogram, so that the
 * latency of any window of time (the second before an apply, the apply
 * itself, the second after) can be computed afterwards by mcstat.
 *
 *   mcload run [-h HOST] [-p PORT] [-c CONNS] [-t SECS] -o FILE
 *	CONNS keep-alive connections, one thread each, loop until SIGTERM or
 *	SIGINT (or SECS): "set" of a 32-byte value, "get" of it back, and
 *	every tenth request "me probe", the meta debug command whose answer
 *	the fix changes. "ready" is printed on stdout once every connection
 *	is up and the key "probe" is set (with a TTL of 3600 s). At the end
 *	the records are written to FILE (struct mc_rec, mcload.h) and one line
 *	"requests N failed N" to stdout.
 *
 *   mcload probe [-h HOST] [-p PORT] [-s]
 *	one connection: with -s first "set probe" (TTL 3600 s); then
 *	"me probe"; prints the exp= field of the answer: a negative number is
 *	memcached 1.6.18's bug, a positive one the fixed answer.
 *
 * A request fails when the connection breaks, when no complete answer comes
 * within 5 s, or when the answer is not the one the command gets from a
 * healthy server (STORED; VALUE ... END; ME probe exp=...). A failed
 * connection is reconnected, so one failure does not end the run.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mcload.h"

#define MC_TIMEOUT_S	5
#define MC_KEYS		64
#define MC_VALUE_LEN	32
#define MC_PROBE_TTL	3600
#define MC_BUF		4096

struct mc_conn {
	pthread_t thread;
	int id;
	int fd;
	struct mc_rec *recs;
	size_t nrecs, cap;
	unsigned long failed;
	int err;		/* -errno that ended the thread, or 0 */
};

static const char *mc_host = "127.0.0.1";
static const char *mc_port = "11211";
/* Set by the main thread when the run ends; the connection threads poll it. */
static atomic_bool mc_stop;

static unsigned long long mc_now_ns(void)
{
	struct timespec ts;

	/* CLOCK_REALTIME: the scripts mark the apply with date +%s%N. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int mc_connect(int *fdp)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct timeval tv = { .tv_sec = MC_TIMEOUT_S };
	struct addrinfo *ai;
	int fd, one = 1, err;

	err = getaddrinfo(mc_host, mc_port, &hints, &ai);
	if (err)
		return -EHOSTUNREACH;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		freeaddrinfo(ai);
		return err;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		err = -errno;
		freeaddrinfo(ai);
		close(fd);
		return err;
	}
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*fdp = fd;
	return 0;
}

static int mc_send(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		buf += n;
		len -= n;
	}
	return 0;
}

static bool mc_ends_with(const char *buf, size_t len, const char *tail)
{
	size_t n = strlen(tail);

	return len >= n && !memcmp(buf + len - n, tail, n);
}

/*
 * Reads one answer into buf (NUL-terminated): up to the line that ends it,
 * "END\r\n" for a get, the first "\r\n" otherwise. The server answers one
 * request at a time on a connection, so nothing of the next one is read.
 */
static int mc_recv(int fd, char *buf, size_t size, bool multi)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + len, size - 1 - len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		len += n;
		buf[len] = '\0';
		if (multi ? (mc_ends_with(buf, len, "END\r\n") &&
			     (len == 5 || mc_ends_with(buf, len, "\r\nEND\r\n")))
			  : mc_ends_with(buf, len, "\r\n"))
			return 0;
		if (len == size - 1)
			return -EMSGSIZE;
	}
}

/* The exp= of an "ME probe ..." answer in *exp; -EPROTO for any other answer. */
static int mc_parse_me(const char *buf, long *exp)
{
	const char *p;
	char *end;

	if (strncmp(buf, "ME probe ", 9))
		return -EPROTO;
	p = strstr(buf, " exp=");
	if (!p)
		return -EPROTO;
	*exp = strtol(p + 5, &end, 10);
	if (end == p + 5 || *end != ' ')
		return -EPROTO;
	return 0;
}

static int mc_record(struct mc_conn *c, unsigned long long t, unsigned long long done,
		     int kind, bool ok)
{
	struct mc_rec *r;

	if (c->nrecs == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 65536;

		r = realloc(c->recs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		c->recs = r;
		c->cap = cap;
	}
	r = &c->recs[c->nrecs++];
	r->t_ns = t;
	r->lat_ns = done - t;
	r->kind = kind;
	r->ok = ok;
	memset(r->pad, 0, sizeof(r->pad));
	return 0;
}

/* One request of the mix; returns 0 or -errno (the answer's failure is recorded, not returned). */
static int mc_request(struct mc_conn *c, unsigned long i)
{
	char req[256], buf[MC_BUF];
	unsigned long long t, done;
	int kind, len, err;
	unsigned int key = (i / 2) % MC_KEYS;
	bool ok = false;
	long exp;

	if (i % 10 == 9) {
		kind = MC_ME_OLD;
		len = snprintf(req, sizeof(req), "me probe\r\n");
	} else if (i % 2 == 0) {
		kind = MC_SET;
		len = snprintf(req, sizeof(req), "set k%d_%u 0 0 %d\r\n%0*lu\r\n",
			       c->id, key, MC_VALUE_LEN, MC_VALUE_LEN, i);
	} else {
		kind = MC_GET;
		len = snprintf(req, sizeof(req), "get k%d_%u\r\n", c->id, key);
	}
	t = mc_now_ns();
	err = mc_send(c->fd, req, len);
	if (!err)
		err = mc_recv(c->fd, buf, sizeof(buf), kind == MC_GET);
	done = mc_now_ns();
	if (!err) {
		switch (kind) {
		case MC_SET:
			ok = !strcmp(buf, "STORED\r\n");
			break;
		case MC_GET:
			ok = !strncmp(buf, "VALUE ", 6);
			break;
		default:
			ok = !mc_parse_me(buf, &exp) && exp != -1;
			if (ok && exp > 0)
				kind = MC_ME_NEW;
		}
	}
	if (!ok)
		c->failed++;
	if (mc_record(c, t, done, kind, ok))
		return -ENOMEM;
	return err;
}

static void *mc_loop(void *arg)
{
	struct mc_conn *c = arg;
	unsigned long i = 0;
	int err;

	while (!mc_stop) {
		err = mc_request(c, i++);
		if (err == -ENOMEM) {
			c->err = err;
			break;
		}
		if (err && !mc_stop) {
			/* Recorded as failed; go on with a new connection. */
			close(c->fd);
			c->fd = -1;
			while (!mc_stop && mc_connect(&c->fd))
				usleep(10000);
		}
	}
	return NULL;
}

static int mc_set_probe(int fd)
{
	char req[128], buf[MC_BUF];
	int len, err;

	len = snprintf(req, sizeof(req), "set probe 0 %d 1\r\nx\r\n", MC_PROBE_TTL);
	err = mc_send(fd, req, len);
	if (!err)
		err = mc_recv(fd, buf, sizeof(buf), false);
	if (!err && strcmp(buf, "STORED\r\n"))
		err = -EPROTO;
	return err;
}

static void mc_usage(void)
{
	fprintf(stderr, "usage: mcload run [-h HOST] [-p PORT] [-c CONNS] [-t SECS] -o FILE\n"
			"       mcload probe [-h HOST] [-p PORT] [-s]\n");
}

static int mc_probe(bool set)
{
	char buf[MC_BUF];
	int fd, err;
	long exp;

	err = mc_connect(&fd);
	if (err) {
		fprintf(stderr, "mcload: connect to %s:%s: %s\n", mc_host, mc_port, strerror(-err));
		return 1;
	}
	if (set)
		err = mc_set_probe(fd);
	if (!err)
		err = mc_send(fd, "me probe\r\n", 10);
	if (!err)
		err = mc_recv(fd, buf, sizeof(buf), false);
	close(fd);
	if (!err)
		err = mc_parse_me(buf, &exp);
	if (err) {
		fprintf(stderr, "mcload: me probe on %s:%s: %s\n", mc_host, mc_port, strerror(-err));
		return 1;
	}
	printf("%ld\n", exp);
	return 0;
}

static int mc_write(const char *path, struct mc_conn *conns, int n)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return -errno;
	for (i = 0; i < n; i++)
		fwrite(conns[i].recs, sizeof(struct mc_rec), conns[i].nrecs, f);
	if (fclose(f))
		return -errno;
	return 0;
}

static int mc_run(int nconns, int secs, const char *out)
{
	unsigned long long total = 0, failed = 0;
	struct mc_conn *conns;
	struct timespec ts;
	sigset_t set;
	int i, err, sig;

	/* Threads inherit the blocked set; only sigtimedwait below sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	conns = calloc(nconns, sizeof(*conns));
	if (!conns)
		return 1;
	for (i = 0; i < nconns; i++) {
		conns[i].id = i;
		err = mc_connect(&conns[i].fd);
		if (!err && i == 0)
			err = mc_set_probe(conns[0].fd);
		if (err) {
			fprintf(stderr, "mcload: connection %d to %s:%s: %s\n", i, mc_host, mc_port,
				strerror(-err));
			return 1;
		}
	}
	for (i = 0; i < nconns; i++) {
		err = pthread_create(&conns[i].thread, NULL, mc_loop, &conns[i]);
		if (err) {
			fprintf(stderr, "mcload: thread: %s\n", strerror(err));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);

	ts.tv_sec = secs > 0 ? secs : 24 * 3600;
	ts.tv_nsec = 0;
	do {
		sig = sigtimedwait(&set, NULL, &ts);
	} while (sig < 0 && errno == EINTR);
	atomic_store(&mc_stop, true);
	/* A thread blocked in recv() sees its timeout at most 5 s later. */
	for (i = 0; i < nconns; i++) {
		pthread_join(conns[i].thread, NULL);
		if (conns[i].err) {
			fprintf(stderr, "mcload: connection %d: %s\n", i, strerror(-conns[i].err));
			return 1;
		}
		total += conns[i].nrecs;
		failed += conns[i].failed;
	}
	err = mc_write(out, conns, nconns);
	if (err) {
		fprintf(stderr, "mcload: %s: %s\n", out, strerror(-err));
		return 1;
	}
	printf("requests %llu failed %llu\n", total, failed);
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *cmd;
	int opt, nconns = 4, secs = 0;
	bool set = false;

	if (argc < 2) {
		mc_usage();
		return 2;
	}
	cmd = argv[1];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "h:p:c:t:o:s")) != -1) {
		switch (opt) {
		case 'h':
			mc_host = optarg;
			break;
		case 'p':
			mc_port = optarg;
			break;
		case 'c':
			nconns = atoi(optarg);
			break;
		case 't':
			secs = atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			set = true;
			break;
		default:
			mc_usage();
			return 2;
		}
	}
	if (optind != argc) {
		mc_usage();
		return 2;
	}
	if (!strcmp(cmd, "probe"))
		return mc_probe(set);
	if (strcmp(cmd, "run") || !out || nconns < 1 || nconns > 256) {
		mc_usage();
		return 2;
	}
	return mc_run(nconns, secs, out);
}
