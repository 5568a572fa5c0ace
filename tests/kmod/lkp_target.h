/* SPDX-License-Identifier: GPL-2.0 */
/* lkp_target.h: a scriptable target process for the stack check, poke, map and transaction kselftests. */
#ifndef LKP_TARGET_H
#define LKP_TARGET_H

/*
 * The target is a child of the test, running lkp_target_main(): it obeys
 * one-byte commands on a socketpair and answers on it, so every step is a
 * handshake. Its threads block or spin in the functions below, whose
 * addresses are the same in the test (fork keeps the layout), and report
 * what the test needs (tids, return addresses, stack bounds) in a shared
 * page. Include this header in exactly one file per test binary; the
 * binaries link with -rdynamic so that dladdr1() gives function sizes.
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "lkp_test.h"

#define LKP_DEEP_FRAMES	50

/* Thread kinds the target can start, each blocked or spinning until released. */
enum lkp_tkind {
	LKP_T_DEEP,	/* blocked in read() LKP_DEEP_FRAMES frames below lkp_t_deep_root */
	LKP_T_SPIN,	/* spinning inside lkp_t_spin */
	LKP_T_FPTR,	/* blocked with &lkp_t_pointee in a stack slot */
	LKP_T_CORO,	/* on its own mmap'd stack, blocked below lkp_t_coro_fn */
	LKP_T_LATE,	/* blocked in read() of the gate below lkp_t_late_a, then below lkp_t_late_b */
	LKP_T_PROBED,	/* calling lkp_t_probed in a loop (uprobe_test puts a uprobe on it) */
	LKP_T_KINDS,
};

/* Commands (one byte each); every command is answered with one byte or an int. */
#define LKP_CMD_CALL	'c'	/* answer: lkp_t_fn()'s result (int) */
#define LKP_CMD_FORK	'f'	/* a child calls lkp_t_fn() and answers */
#define LKP_CMD_START	's'	/* followed by a kind byte; answer 'R' when in place */
#define LKP_CMD_RELEASE	'r'	/* every started thread returns; answer 'R' */
#define LKP_CMD_EXEC	'e'	/* execve(/bin/true) with argv[1] on a userfaultfd page;
				 * answer 'R' with the userfaultfd (SCM_RIGHTS) */
#define LKP_CMD_QUIT	'q'

struct lkp_tshm {
	pid_t tid[LKP_T_KINDS];
	uint64_t deep_ret;	/* the return address into lkp_t_deep_root */
	uint64_t deep_sp_lo;	/* a stack address in the deepest frame */
	uint64_t deep_sp_hi;	/* a stack address in lkp_t_deep_root's frame */
	uint64_t coro_stack;	/* the coroutine's stack mapping */
	uint64_t coro_stack_len;
	volatile int stop;	/* tells spinning threads to leave */
	volatile uint64_t spins;	/* the spinner's loop count */
	volatile uint64_t probed;	/* lkp_t_probed's calls */
	int release_rd;		/* blocked threads read one byte each from here */
	int release_wr;
	uint64_t late_ret;	/* the last return address into lkp_t_late_a or _b */
	int gate_rd;		/* LKP_T_LATE waits here, twice */
	int gate_wr;		/* kept open by the test (lkp_target_open_gate()) */
};

struct lkp_target {
	pid_t pid;
	int sock;
	struct lkp_tshm *shm;	/* MAP_SHARED: shared with the target */
	int gate;		/* a byte here sends LKP_T_LATE deep */
	pthread_t threads[LKP_T_KINDS];
};

static struct lkp_tshm *lkp_tshm;
static int lkp_tsock;

/* The function the tests patch: it returns 1 until patched. */
__attribute__((noinline, noclone, aligned(16))) int lkp_t_fn(void)
{
	asm volatile("");
	return 1;
}

/* Never called: only its address is kept on a stack. */
__attribute__((noinline, noclone, aligned(16))) int lkp_t_pointee(void)
{
	asm volatile("");
	return 3;
}

static int (*volatile lkp_t_fn_ptr)(void) = lkp_t_fn;

static void lkp_t_ready(void)
{
	char c = 'R';

	if (write(lkp_tsock, &c, 1) != 1)
		_exit(90);
}

/* Block until LKP_CMD_RELEASE. */
__attribute__((noinline, noclone)) void lkp_t_block(void)
{
	char c;

	lkp_t_ready();
	if (read(lkp_tshm->release_rd, &c, 1) != 1)
		_exit(91);
}

__attribute__((noinline, noclone)) int lkp_t_recurse(int n)
{
	volatile char frame[32];
	int r;

	frame[0] = (char)n;
	if (n == LKP_DEEP_FRAMES)
		lkp_tshm->deep_ret = (uint64_t)__builtin_return_address(0);
	if (n == 0) {
		lkp_tshm->deep_sp_lo = (uint64_t)frame;
		lkp_t_block();
		return 0;
	}
	r = lkp_t_recurse(n - 1);
	return r + frame[0];	/* used after the call: no tail call, no loop */
}

__attribute__((noinline, noclone, aligned(16))) int lkp_t_deep_root(void)
{
	volatile char frame[32];
	int r;

	lkp_tshm->deep_sp_hi = (uint64_t)frame;
	r = lkp_t_recurse(LKP_DEEP_FRAMES);
	return r + frame[0];
}

/*
 * LKP_T_LATE waits for a byte on the gate below lkp_t_late_a(), then below
 * lkp_t_late_b(): two twins, so that it waits with the same sp and ip both
 * times, and only the return address above its sp tells them apart. noipa:
 * no merging of the twins, no tail call.
 */
__attribute__((noipa)) void lkp_t_gate(void)
{
	char c;

	lkp_tshm->late_ret = (uint64_t)__builtin_return_address(0);
	if (read(lkp_tshm->gate_rd, &c, 1) != 1)
		_exit(104);
}

__attribute__((noipa, aligned(16))) void lkp_t_late_a(void)
{
	lkp_t_gate();
	asm volatile("");
}

__attribute__((noipa, aligned(16))) void lkp_t_late_b(void)
{
	lkp_t_gate();
	asm volatile("");
}

__attribute__((noinline, noclone, aligned(16))) void lkp_t_spin(void)
{
	lkp_t_ready();
	while (!lkp_tshm->stop)
		lkp_tshm->spins++;
}

__attribute__((noipa)) void lkp_t_probed_body(void)
{
	lkp_tshm->probed++;
}

/*
 * A function of its own: a uprobe on its entry is hit once per call. Its
 * first instruction is known, LKP_T_PROBED_INSN bytes long, and one a
 * uprobe steps out of line (x86 emulates branches, pushes and nops), so a
 * test can tell where a thread stepping it is, before and after the copy ran.
 */
#define LKP_T_PROBED_INSN	5
void lkp_t_probed(void);
asm(".pushsection .text\n"
    "	.p2align 4\n"
    "	.globl lkp_t_probed\n"
    "	.type lkp_t_probed, @function\n"
    "lkp_t_probed:\n"
    "	mov $0x6b6c70, %eax\n"		/* 5 bytes: b8 imm32 */
    "	jmp lkp_t_probed_body\n"
    "	.size lkp_t_probed, . - lkp_t_probed\n"
    "	.popsection");

__attribute__((noipa, aligned(16))) void lkp_t_probed_loop(void)
{
	lkp_t_ready();
	while (!lkp_tshm->stop)
		lkp_t_probed();
}

__attribute__((noinline, noclone)) void lkp_t_hold_pointer(void)
{
	int (*volatile held)(void) = lkp_t_pointee;

	lkp_t_block();
	asm volatile("" : : "r"(held));
}

__attribute__((noinline, noclone, aligned(16))) void lkp_t_coro_fn(void)
{
	lkp_t_block();
	asm volatile("");
}

static ucontext_t lkp_t_coro_ret, lkp_t_coro_ctx;

static void *lkp_t_thread(void *arg)
{
	enum lkp_tkind kind = (enum lkp_tkind)(uintptr_t)arg;
	size_t len = 256 * 1024;
	void *stack;

	lkp_tshm->tid[kind] = syscall(SYS_gettid);
	switch (kind) {
	case LKP_T_DEEP:
		lkp_t_deep_root();
		break;
	case LKP_T_SPIN:
		lkp_t_spin();
		break;
	case LKP_T_FPTR:
		lkp_t_hold_pointer();
		break;
	case LKP_T_PROBED:
		lkp_t_probed_loop();
		break;
	case LKP_T_LATE:
		lkp_t_ready();
		lkp_t_late_a();
		if (!lkp_tshm->stop)
			lkp_t_late_b();
		break;
	case LKP_T_CORO:
		stack = mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (stack == MAP_FAILED)
			_exit(92);
		lkp_tshm->coro_stack = (uint64_t)stack;
		lkp_tshm->coro_stack_len = len;
		getcontext(&lkp_t_coro_ctx);
		lkp_t_coro_ctx.uc_stack.ss_sp = stack;
		lkp_t_coro_ctx.uc_stack.ss_size = len;
		lkp_t_coro_ctx.uc_link = &lkp_t_coro_ret;
		makecontext(&lkp_t_coro_ctx, lkp_t_coro_fn, 0);
		swapcontext(&lkp_t_coro_ret, &lkp_t_coro_ctx);
		munmap(stack, len);
		break;
	default:
		break;
	}
	return NULL;
}

/*
 * execve() copies its arguments from user memory: with one on a page only a
 * userfaultfd can fill, the call sleeps in the kernel until the test fills
 * it, so the test decides when the exec happens.
 */
static void lkp_t_exec(int sock)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "R", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	char *argv[3] = { "true", NULL, NULL };
	extern char **environ;
	void *page;
	int uffd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (uffd < 0 || page == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api))
		_exit(100);
	reg.range.start = (uintptr_t)page;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		_exit(101);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &uffd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		_exit(102);
	argv[1] = page;
	execve("/bin/true", argv, environ);
	_exit(103);
}

static void lkp_target_main(int sock, struct lkp_tshm *shm)
{
	pthread_t threads[LKP_T_KINDS];
	bool started[LKP_T_KINDS] = { false };
	char cmd, kind, ok = 'R';
	int i, v, status;
	pid_t child;

	lkp_tshm = shm;
	lkp_tsock = sock;
	for (;;) {
		if (read(sock, &cmd, 1) != 1)
			_exit(0);
		switch (cmd) {
		case LKP_CMD_CALL:
			v = lkp_t_fn_ptr();
			if (write(sock, &v, sizeof(v)) != sizeof(v))
				_exit(93);
			break;
		case LKP_CMD_FORK:
			child = fork();
			if (child == 0) {
				v = lkp_t_fn_ptr();
				_exit(write(sock, &v, sizeof(v)) == sizeof(v) ? 0 : 94);
			}
			if (child < 0 || waitpid(child, &status, 0) != child)
				_exit(95);
			break;
		case LKP_CMD_START:
			if (read(sock, &kind, 1) != 1 || kind < 0 || kind >= LKP_T_KINDS)
				_exit(96);
			started[(int)kind] = true;
			if (pthread_create(&threads[(int)kind], NULL, lkp_t_thread,
					   (void *)(uintptr_t)kind))
				_exit(97);
			break;	/* the thread answers once in place */
		case LKP_CMD_RELEASE:
			shm->stop = 1;
			/* The late thread leaves at its gate, seeing stop. */
			if (started[LKP_T_LATE] &&
			    write(shm->gate_wr, &ok, 1) != 1)
				_exit(98);
			/* One byte per blocked thread: every other kind but the spinners. */
			for (i = 0; i < LKP_T_KINDS; i++)
				if (started[i] && i != LKP_T_SPIN && i != LKP_T_LATE &&
				    i != LKP_T_PROBED &&
				    write(shm->release_wr, &ok, 1) != 1)
					_exit(98);
			for (i = 0; i < LKP_T_KINDS; i++)
				if (started[i])
					pthread_join(threads[i], NULL);
			memset(started, 0, sizeof(started));
			shm->stop = 0;
			shm->spins = 0;
			shm->probed = 0;
			if (write(sock, &ok, 1) != 1)
				_exit(99);
			break;
		case LKP_CMD_EXEC:
			lkp_t_exec(sock);
			break;
		case LKP_CMD_QUIT:
		default:
			_exit(0);
		}
	}
}

/* Start a target; 0 or -errno. */
static inline int lkp_target_start(struct lkp_target *t)
{
	int sv[2], pipefd[2], gate[2];

	memset(t, 0, sizeof(*t));
	t->gate = -1;
	t->shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->shm == MAP_FAILED)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	if (pipe2(gate, O_CLOEXEC))
		return -errno;
	t->shm->release_rd = pipefd[0];
	t->shm->release_wr = pipefd[1];
	t->shm->gate_rd = gate[0];
	t->shm->gate_wr = gate[1];
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		close(sv[0]);
		lkp_target_main(sv[1], t->shm);
	}
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);
	close(gate[0]);
	t->gate = gate[1];
	t->sock = sv[0];
	return 0;
}

static inline int lkp_target_cmd(struct lkp_target *t, char cmd)
{
	return write(t->sock, &cmd, 1) == 1 ? 0 : -EIO;
}

static inline int lkp_target_wait_ready(struct lkp_target *t)
{
	char c;

	return read(t->sock, &c, 1) == 1 && c == 'R' ? 0 : -EIO;
}

/* Start a thread of @kind in the target and wait until it is in place. */
static inline int lkp_target_thread(struct lkp_target *t, enum lkp_tkind kind)
{
	char buf[2] = { LKP_CMD_START, (char)kind };

	uint64_t i;

	if (write(t->sock, buf, 2) != 2 || lkp_target_wait_ready(t))
		return -EIO;
	/*
	 * The spinner answers from inside write(): it is in its loop, with
	 * its ip in lkp_t_spin, only once the count moves.
	 */
	for (i = 0; kind == LKP_T_SPIN && !t->shm->spins; i++) {
		if (i > 100000000)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

static inline int lkp_target_release(struct lkp_target *t)
{
	int ret = lkp_target_cmd(t, LKP_CMD_RELEASE);

	return ret ?: lkp_target_wait_ready(t);
}

/* lkp_t_fn()'s result in the target (LKP_CMD_CALL) or its fork (LKP_CMD_FORK). */
static inline int lkp_target_call(struct lkp_target *t, char cmd)
{
	int v;

	if (lkp_target_cmd(t, cmd) || read(t->sock, &v, sizeof(v)) != sizeof(v))
		return -EIO;
	return v;
}

/* LKP_CMD_EXEC: the target's userfaultfd, its exec blocked on it; or -errno. */
static inline int lkp_target_exec(struct lkp_target *t)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int uffd;

	if (lkp_target_cmd(t, LKP_CMD_EXEC) || recvmsg(t->sock, &msg, 0) != 1)
		return -EIO;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EIO;
	memcpy(&uffd, CMSG_DATA(cmsg), sizeof(int));
	return uffd;
}

static inline void lkp_target_stop(struct lkp_target *t)
{
	int status;

	/* pid 0: a test already reaped it. */
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &status, 0);
	}
	if (t->gate >= 0)
		close(t->gate);
	t->gate = -1;
	if (t->shm && t->shm != MAP_FAILED) {
		close(t->sock);
		munmap(t->shm, 4096);
	}
	t->pid = 0;
	t->shm = NULL;
}

/*
 * Waits until the target's main thread is blocked in read() for its next
 * command, as /proc/PID/syscall shows: the target answers a command before
 * it gets back there, so a freeze right after the answer could still find
 * it in user mode or in write().
 */
static inline int lkp_target_wait_in_read(pid_t pid)
{
	struct timespec nap = { 0, 1000000 };
	char path[64], buf[32];
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	for (i = 0; i < 20000; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			if (strtol(buf, NULL, 10) == SYS_read && buf[0] == '0')
				return 0;
		}
		nanosleep(&nap, NULL);
	}
	return -ETIMEDOUT;
}

/* Waits until thread @tid of @pid sleeps in read(); 0 or -ETIMEDOUT. */
static inline int lkp_thread_wait_in_read(pid_t pid, pid_t tid)
{
	char path[80], buf[32];
	int i;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	for (i = 0; i < 20000; i++) {
		if (!lkp_read_file(path, buf, sizeof(buf)) && buf[0] == '0' && buf[1] == ' ')
			return 0;
		lkp_sleep_ms(1);
	}
	return -ETIMEDOUT;
}

/*
 * The end of every test stub: resume the borrowed thread from the frame
 * LKP_IOC_CALL passed in rdi, as docs/uapi.md says a stub must.
 */
#define LKP_STUB_RESUME							\
	0x48, 0x89, 0xfc,			/* mov %rdi, %rsp */	\
	0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b,	\
	0x41, 0x5b, 0x41, 0x5a, 0x41, 0x59, 0x41, 0x58,			\
	0x58, 0x59, 0x5a, 0x5e, 0x5f,		/* pop r15 .. rdi */	\
	0x9d,					/* popfq */		\
	0xc2, 0x80, 0x00			/* ret $128 */

/* The size of a function of this binary (-rdynamic), or 0. */
static inline size_t lkp_fn_size(const void *fn)
{
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (!dladdr1(fn, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym ||
	    info.dli_saddr != fn)
		return 0;
	return sym->st_size;
}

#endif /* LKP_TARGET_H */
