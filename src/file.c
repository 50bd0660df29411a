#include "file.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int file_read(const char *path, size_t max, enum err code, long long deadline,
	      unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;
	int is_stdin = strcmp(path, "-") == 0, e;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return err_set(code, "%s: %s", path, strerror(errno));
	for (;;) {
		ssize_t got;

		if (n + 1 >= cap) {
			/* Room for one byte more than the limit, and the NUL. */
			size_t want = cap ? cap * 2 : 16384;
			unsigned char *b;

			if (want > max + 2)
				want = max + 2;
			if (!(b = realloc(buf, want))) {
				e = ENOMEM;
				goto fail;
			}
			buf = b;
			cap = want;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (net_wait(fd, POLLIN, deadline) == 0) {
				free(buf);
				if (!is_stdin)
					close(fd);
				return err_set(ERR_TIMEOUT, "reading %s: no data before the deadline", path);
			}
			continue;
		}
		if (got < 0) {
			e = errno;
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			e = EFBIG;
			goto fail;
		}
	}
	if (!is_stdin)
		close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return ERR_OK;
fail:
	free(buf);
	if (!is_stdin)
		close(fd);
	if (e == EFBIG)
		return err_set(code, "%s: larger than %zu bytes", path, max);
	return err_set(code, "%s: %s", path, strerror(e));
}
