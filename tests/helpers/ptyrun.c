/*
 * ptyrun: runs a command on a new pseudo-terminal, for job-control tests.
 *
 *   ptyrun COMMAND [ARG...]
 *
 * COMMAND becomes a session leader with the pty as its controlling
 * terminal (as a login shell's foreground job would have it). Bytes read
 * from ptyrun's stdin are written to the pty, so a test can type ^Z
 * (\032) or ^C (\003); what COMMAND writes to the terminal goes to
 * ptyrun's stdout. ptyrun exits with COMMAND's status (128+N for a signal).
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct pollfd pfd[2];
	char buf[512];
	int master, st, in_open = 1;
	ssize_t n;
	pid_t pid, w;

	if (argc < 2) {
		fprintf(stderr, "usage: ptyrun COMMAND [ARG...]\n");
		return 2;
	}
	if ((pid = forkpty(&master, NULL, NULL, NULL)) == -1) {
		perror("ptyrun: forkpty");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("ptyrun: exec");
		_exit(127);
	}
	for (;;) {
		pfd[0].fd = master;
		pfd[0].events = POLLIN;
		pfd[1].fd = in_open ? STDIN_FILENO : -1;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 100) == -1 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			if ((n = read(master, buf, sizeof(buf))) > 0)
				(void)!write(STDOUT_FILENO, buf, (size_t)n);
		}
		if (in_open && (pfd[1].revents & (POLLIN | POLLHUP))) {
			if ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
				(void)!write(master, buf, (size_t)n);
			else
				in_open = 0;
		}
		if ((w = waitpid(pid, &st, WNOHANG)) == pid)
			return WIFSIGNALED(st) ? 128 + WTERMSIG(st) :
			    WEXITSTATUS(st);
		if (pfd[0].revents & (POLLHUP | POLLERR) &&
		    !(pfd[0].revents & POLLIN)) {
			/* The terminal is gone: wait for COMMAND. */
			if (waitpid(pid, &st, 0) == pid)
				return WIFSIGNALED(st) ? 128 + WTERMSIG(st) :
				    WEXITSTATUS(st);
			break;
		}
	}
	return 2;
}
