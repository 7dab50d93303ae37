/*
 * tick.c: the program that exits at once in bench/run.sh's restart
 * scenario. It appends one byte to ./ticks and exits 0; the file's size is
 * the number of starts, counted the same way under every supervisor (each
 * runs it in its own directory: runit and s6 in the service directory,
 * where `run` is a symlink to it). Arguments are ignored: s6-supervise
 * passes the service's name.
 *
 * usage: tick [ANYTHING...]
 */
#include <fcntl.h>
#include <unistd.h>

int
main(void)
{
	int fd;

	fd = open("ticks",
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		return 1;
	if (write(fd, "t", 1) != 1)
		return 1;
	return 0;
}
