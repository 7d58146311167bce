/*
 * Unit tests of lib/stream/outfile.c: a regular file is replaced whole
 * through an unpredictable temporary with the old mode; a symbolic link at
 * the name is replaced, never followed; a planted NAME.tmp is left alone;
 * a FIFO and a device are written in place, never renamed over.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "t.h"

static char dir[256];

static const char *
at(const char *name)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void
put(const char *path, const char *s)
{
	FILE *fp = fopen(path, "w");

	T_OK(fp != NULL);
	if (fp == NULL)
		return;
	fputs(s, fp);
	fclose(fp);
}

static int
same(const char *path, const char *s)
{
	char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strcmp(buf, s) == 0;
}

/* Entries in dir, . and .. excluded. */
static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static int
write_whole(const char *path, const char *s)
{
	struct outfile of;
	char err[256];
	FILE *fp;

	if (outfile_open(&of, path, err, sizeof(err)) != 0)
		return -1;
	if ((fp = outfile_stdio(&of)) == NULL) {
		outfile_discard(&of);
		return -1;
	}
	fputs(s, fp);
	return outfile_close(&of, err, sizeof(err));
}

static void
test_new_and_replace(void)
{
	struct stat st;
	mode_t um = umask(022);

	T_EQ(write_whole(at("a"), "one\n"), 0);
	T_OK(same(at("a"), "one\n"));
	T_OK(stat(at("a"), &st) == 0 && (st.st_mode & 0777) == 0644);
	chmod(at("a"), 0640);
	T_EQ(write_whole(at("a"), "two\n"), 0);
	T_OK(same(at("a"), "two\n"));
	T_OK(stat(at("a"), &st) == 0 && (st.st_mode & 0777) == 0640);
	T_EQ(entries(), 1);		/* no temporary left */
	umask(um);
	unlink(at("a"));
}

static void
test_discard(void)
{
	struct outfile of;
	char err[256];

	put(at("b"), "old\n");
	T_EQ(outfile_open(&of, at("b"), err, sizeof(err)), 0);
	T_OK(write(of.fd, "new\n", 4) == 4);
	T_OK(same(at("b"), "old\n"));	/* nothing shows before the close */
	outfile_discard(&of);
	T_OK(same(at("b"), "old\n"));
	T_EQ(entries(), 1);
	unlink(at("b"));
}

/* A neighbour's links: NAME.tmp and NAME itself point at a victim. */
static void
test_planted_links(void)
{
	struct stat st;

	put(at("victim"), "secret\n");
	T_EQ(symlink(at("victim"), at("c.tmp")), 0);
	T_EQ(write_whole(at("c"), "chart\n"), 0);
	T_OK(same(at("victim"), "secret\n"));
	T_OK(same(at("c"), "chart\n"));
	T_EQ(symlink(at("victim"), at("d")), 0);
	T_EQ(write_whole(at("d"), "chart\n"), 0);
	T_OK(same(at("victim"), "secret\n"));
	T_OK(lstat(at("d"), &st) == 0 && S_ISREG(st.st_mode));
	T_OK(same(at("d"), "chart\n"));
	unlink(at("victim"));
	unlink(at("c.tmp"));
	unlink(at("c"));
	unlink(at("d"));
}

/* A FIFO is written in place: the reader gets the bytes, the FIFO stays. */
static void
test_fifo(void)
{
	struct stat st;
	char buf[64];
	ssize_t n;
	int rd;

	T_EQ(mkfifo(at("f"), 0600), 0);
	rd = open(at("f"), O_RDONLY | O_NONBLOCK);
	T_OK(rd >= 0);
	T_EQ(write_whole(at("f"), "piped\n"), 0);
	n = read(rd, buf, sizeof(buf) - 1);
	T_EQ(n, 6);
	T_OK(n == 6 && memcmp(buf, "piped\n", 6) == 0);
	close(rd);
	T_OK(lstat(at("f"), &st) == 0 && S_ISFIFO(st.st_mode));
	T_EQ(entries(), 1);
	unlink(at("f"));
}

/* A device node is written in place, never replaced by a regular file. */
static void
test_device(void)
{
	struct stat st;

	T_EQ(write_whole("/dev/null", "x\n"), 0);
	T_OK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	if (mknod(at("null"), S_IFCHR | 0666, st.st_rdev) == 0) {
		T_EQ(write_whole(at("null"), "x\n"), 0);
		T_OK(lstat(at("null"), &st) == 0 && S_ISCHR(st.st_mode));
		unlink(at("null"));
	} else
		fprintf(stderr, "# device node test skipped: %s\n",
		    strerror(errno));
}

static void
test_errors(void)
{
	struct outfile of;
	char err[256];

	T_EQ(outfile_open(&of, at("nodir/x"), err, sizeof(err)), -1);
	T_OK(strstr(err, "nodir/x") != NULL);
	T_EQ(outfile_open(&of, dir, err, sizeof(err)), -1);
	T_EQ(entries(), 0);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/outfile.XXXXXX", t ? t : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	T_RUN(test_new_and_replace);
	T_RUN(test_discard);
	T_RUN(test_planted_links);
	T_RUN(test_fifo);
	T_RUN(test_device);
	T_RUN(test_errors);
	rmdir(dir);
	return T_END();
}
