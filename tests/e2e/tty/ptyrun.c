// SPDX-License-Identifier: GPL-2.0
/*
 * ptyrun: runs a full-screen program on a pseudo-terminal of a chosen
 * size, types keys at it on a schedule, and records what it drew, so
 * that a test can check an interactive tool the way a user on the serial
 * console sees it.  Afterwards it compares the terminal's modes with
 * what they were before the program started: a full-screen program must
 * give the terminal back as it found it, after q and after Ctrl-C alike.
 *
 * The script is a list of words: "wSECONDS" waits, "kTEXT" types TEXT
 * ("\r" in it is Enter), "^C" types Ctrl-C (the line discipline turns it
 * into SIGINT for the program, as on a real terminal).  The transcript
 * goes to stdout, the verdict to stderr; the exit status is the
 * program's, or 124 if it outlived the timeout, or 125 if the terminal
 * modes were not restored.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ptyrun [-r ROWS] [-c COLS] [-t TIMEOUT] SCRIPT PROGRAM [ARGS...]\n"
		"\n"
		"Runs PROGRAM on a new pseudo-terminal of ROWS x COLS (default 24 x 80),\n"
		"plays SCRIPT, and prints everything PROGRAM wrote.  SCRIPT words:\n"
		"  wSECONDS   wait\n"
		"  kTEXT      type TEXT (\\r is Enter)\n"
		"  ^C         type Ctrl-C\n"
		"After the script, waits up to TIMEOUT seconds (default 10) for PROGRAM to\n"
		"exit.  Exit status: PROGRAM's; 124 if it did not exit in time; 125 if\n"
		"it left the terminal's modes changed.\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copies what the program writes to stdout until t seconds from now. */
static void pump(int master, double secs)
{
	double end = now_s() + secs;
	char buf[4096];

	for (;;) {
		double left = end - now_s();
		struct timeval tv;
		fd_set fds;
		ssize_t n;

		if (left <= 0)
			return;
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
		FD_ZERO(&fds);
		FD_SET(master, &fds);
		if (select(master + 1, &fds, NULL, NULL, &tv) <= 0)
			continue;
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			return;	/* EIO: the program closed its side */
		fwrite(buf, 1, (size_t)n, stdout);
	}
}

static void type(int master, const char *s)
{
	char buf[256];
	size_t n = 0;

	for (; *s && n < sizeof(buf); s++) {
		if (s[0] == '\\' && s[1] == 'r') {
			buf[n++] = '\r';
			s++;
		} else {
			buf[n++] = *s;
		}
	}
	if (write(master, buf, n) != (ssize_t)n)
		perror("ptyrun: write");
}

static int modes_equal(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       !memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc));
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct termios before, after;
	double timeout = 10;
	int opt, master, slave, status = 0, ret;
	char *script, *word, *save;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+r:c:t:h")) != -1) {
		switch (opt) {
		case 'r':
			ws.ws_row = (unsigned short)atoi(optarg);
			break;
		case 'c':
			ws.ws_col = (unsigned short)atoi(optarg);
			break;
		case 't':
			timeout = atof(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 2) {
		usage(stderr);
		return 2;
	}
	script = strdup(argv[optind]);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		perror("ptyrun: pseudo-terminal");
		return 2;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0 || ioctl(slave, TIOCSWINSZ, &ws) < 0 || tcgetattr(slave, &before) < 0) {
		perror("ptyrun: pseudo-terminal");
		return 2;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("ptyrun: fork");
		return 2;
	}
	if (pid == 0) {
		/* A session of its own with the pty as its terminal, so that
		 * Ctrl-C reaches it as SIGINT. */
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(126);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		close(master);
		if (slave > 2)
			close(slave);
		unsetenv("LINES");
		unsetenv("COLUMNS");
		execvp(argv[optind + 1], argv + optind + 1);
		_exit(127);
	}
	for (word = strtok_r(script, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		if (word[0] == 'w')
			pump(master, atof(word + 1));
		else if (word[0] == 'k')
			type(master, word + 1);
		else if (!strcmp(word, "^C"))
			type(master, "\003");
		else
			fprintf(stderr, "ptyrun: unknown script word '%s'\n", word);
		pump(master, 0.05);
	}
	for (double end = now_s() + timeout; ; ) {
		pump(master, 0.1);
		ret = waitpid(pid, &status, WNOHANG);
		if (ret == pid)
			break;
		if (now_s() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "ptyrun: %s did not exit within %.0f s\n",
				argv[optind + 1], timeout);
			return 124;
		}
	}
	pump(master, 0.1);
	fflush(stdout);
	if (tcgetattr(slave, &after) < 0) {
		perror("ptyrun: tcgetattr");
		return 2;
	}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!modes_equal(&before, &after)) {
		fprintf(stderr, "ptyrun: %s exited %d and left the terminal's modes changed "
			"(lflag 0x%x, was 0x%x)\n", argv[optind + 1], ret,
			(unsigned)after.c_lflag, (unsigned)before.c_lflag);
		return 125;
	}
	fprintf(stderr, "ptyrun: %s exited %d; terminal modes restored\n", argv[optind + 1], ret);
	return ret;
}
