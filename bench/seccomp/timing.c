/*
 * Kernel-side cost of a seccomp filter: installs the filter read from argv[1] (raw struct sock_filter array, or "none")
 * and times argv[2] iterations of three calls: getppid (constant verdict: the action cache skips the filter),
 * personality(0xffffffff) and socket(AF_UNIX, SOCK_STREAM)+close (argument-dependent: the filter runs).
 * Prints "getppid <ns> personality <ns> socket_close <ns>" per call.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static struct sock_filter filter[4096];
	long n = argc > 2 ? atol(argv[2]) : 200000, i;
	double t0, t1, t2, t3;
	if (argc < 2) return 2;
	if (strcmp(argv[1], "none") != 0) {
		FILE *f = fopen(argv[1], "rb");
		size_t len;
		struct sock_fprog prog;
		if (!f) return 3;
		len = fread(filter, sizeof(filter[0]), 4096, f);
		fclose(f);
		prog.len = len;
		prog.filter = filter;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
			perror("seccomp");
			return 4;
		}
	}
	t0 = now();
	for (i = 0; i < n; i++) syscall(SYS_getppid);
	t1 = now();
	for (i = 0; i < n; i++) syscall(SYS_personality, 0xffffffffUL);
	t2 = now();
	for (i = 0; i < n / 4; i++) close(socket(AF_UNIX, SOCK_STREAM, 0));
	t3 = now();
	printf("getppid %.1f personality %.1f socket_close %.1f\n", (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / (n / 4));
	return 0;
}
