/*
 * fionread: prints how many bytes wait unread in a FIFO (FIONREAD),
 * without reading them.
 *
 *   fionread PATH
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int fd, n;

	if (argc != 2) {
		fprintf(stderr, "usage: fionread PATH\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY | O_NONBLOCK)) == -1 ||
	    ioctl(fd, FIONREAD, &n) == -1) {
		perror(argv[1]);
		return 1;
	}
	printf("%d\n", n);
	close(fd);
	return 0;
}
