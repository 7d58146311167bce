/*
 * fuzz.h - what the libFuzzer harnesses share: the input as a file the
 * library can open by path (a memfd named /proc/self/fd/N, so no disk and
 * nothing left behind), and a check that a library message is text.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The bytes as the content of one reusable memory file; returns its path. */
static const char *
fuzz_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	size_t off;
	ssize_t n;

	if (fd == -1) {
		if ((fd = memfd_create("fuzz", 0)) == -1) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1)
		abort();
	for (off = 0; off < size; off += (size_t)n)
		if ((n = pwrite(fd, data + off, size - off, (off_t)off)) <= 0)
			abort();
	return path;
}

/* A library error message: NUL-terminated inside its buffer, not empty. */
static void
fuzz_msg(const char *err, size_t errlen)
{
	if (memchr(err, '\0', errlen) == NULL || err[0] == '\0')
		abort();
}

/*
 * The bytes as a reader's source (csvin_new): whole, or (chunked) in reads
 * of 1, 2, 3, 5, 13, 100 bytes in turn.
 */
struct fuzz_src {
	const uint8_t	*p;
	size_t		 len, pos;
	int		 chunked, k;
};

static inline ssize_t
fuzz_read(void *ctx, void *buf, size_t n)
{
	static const size_t steps[] = { 1, 2, 3, 5, 13, 100 };
	struct fuzz_src *s = ctx;
	size_t k = s->len - s->pos;

	if (n < k)
		k = n;
	if (s->chunked) {
		if (k > steps[s->k])
			k = steps[s->k];
		s->k = (s->k + 1) % 6;
	}
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

/* FNV-1a over n bytes into *h. */
static inline void
fuzz_mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ULL;
}

#endif
