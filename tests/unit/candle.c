/*
 * candle.c - tests of the canonical stream reader and writer: header,
 * validation errors with file:line, columns appended and replaced.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ck.h"
#include "csvio.h"
#include "cstream.h"
#include "t.h"

static char dir[] = "/tmp/candle-test.XXXXXX";

static const char *
put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

#define HDR "time,open,high,low,close,volume"
#define R1 "2024-06-14T01:30:00Z,8.1,8.14,8.07,8.11,865600"
#define R2 "2024-06-14T01:31:00Z,8.1,8.12,8.1,8.12,380700"

/* Open text, read all rows: the status of the end, error in err. */
static int
readall(const char *text, long *rows, char *err, size_t errlen)
{
	struct cstream cs;
	struct candle c;
	int r;

	*rows = 0;
	err[0] = '\0';
	if ((r = cstream_open(&cs, put("in.csv", text), err, errlen)) != 0)
		return r;
	while ((r = cstream_next(&cs, &c, err, errlen)) == 1)
		(*rows)++;
	cstream_close(&cs);
	return r;
}

static void
bad(const char *row, const char *why)
{
	char text[512], err[256], want[256];
	long rows;

	snprintf(text, sizeof(text), HDR "\n" R1 "\n%s\n", row);
	T_EQ(readall(text, &rows, err, sizeof(err)), CK_EDATA);
	T_EQ(rows, 1);
	snprintf(want, sizeof(want), "%s/in.csv:3: %s", dir, why);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "got  %s\nwant %s\n", err, want);
		T_OK(0);
	}
}

static void
test_read(void)
{
	char err[256];
	long rows;

	T_EQ(readall(HDR "\n" R1 "\n" R2 "\n", &rows, err, sizeof(err)), 0);
	T_EQ(rows, 2);
	T_EQ(readall(HDR "\r\n" R1 "\r\n" R2, &rows, err, sizeof(err)), 0);
	T_EQ(rows, 2);
	T_EQ(readall(HDR "\n", &rows, err, sizeof(err)), 0);
	T_EQ(rows, 0);
	T_EQ(readall("", &rows, err, sizeof(err)), CK_EDATA);
	T_OK(strstr(err, "in.csv:1: no header") != NULL);
	T_EQ(readall("timestamp,open,high,low,close,volume\n", &rows, err,
	    sizeof(err)), CK_EDATA);
	T_OK(strstr(err, "header column 1 is not 'time'") != NULL);
	T_EQ(readall("time,open,high,low,close\n", &rows, err, sizeof(err)),
	    CK_EDATA);
}

static void
test_errors(void)
{
	bad("2024-06-14T01:31:00Z,8.1,8.12,8.1,8.12", "5 fields, the header has 6");
	bad("2024-06-14 01:31:00,8.1,8.12,8.1,8.12,1", "bad time '2024-06-14 01:31:00'");
	bad("2024-06-14T01:31:00Z,,8.12,8.1,8.12,1", "empty open");
	bad("2024-06-14T01:31:00Z,8.1,x,8.1,8.12,1", "high not a finite number: 'x'");
	bad("2024-06-14T01:31:00Z,8.1,8.12,inf,8.12,1", "low not a finite number: 'inf'");
	bad("2024-06-14T01:31:00Z,8.1,8.12,8.1,nan,1", "close not a finite number: 'nan'");
	bad("2024-06-14T01:31:00Z,0,8.12,8.1,8.12,1", "open not positive");
	bad("2024-06-14T01:31:00Z,8.1,8.12,-1,8.12,1", "low not positive");
	bad("2024-06-14T01:31:00Z,8.1,8.12,8.1,8.12,-1", "volume negative");
	bad("2024-06-14T01:31:00Z,8.1,8.12,8.11,8.12,1", "low above min(open, close)");
	bad("2024-06-14T01:31:00Z,8.1,8.11,8.1,8.12,1", "high below max(open, close)");
	bad("2024-06-14T01:30:00Z,8.1,8.12,8.1,8.12,1", "duplicate time 2024-06-14T01:30:00Z");
	bad("2024-06-14T01:29:00Z,8.1,8.12,8.1,8.12,1",
	    "time 2024-06-14T01:29:00Z before previous 2024-06-14T01:30:00Z");
}

static void
test_write(void)
{
	struct cstream cs;
	struct candle c;
	struct csvout *o;
	char err[256], buf[1024], out[256];
	int fd, kx, ky, kz;
	ssize_t n;

	T_EQ(cstream_open(&cs, put("in.csv", HDR ",note,x\n" R1 ",\"a,b\",1\n"
	    R2 ",c,2\n"), err, sizeof(err)), 0);
	T_EQ(cstream_col(&cs, "note"), 6);
	T_EQ(cstream_col(&cs, "nope"), -1);
	kx = cstream_addcol(&cs, "x");		/* replaced in place */
	ky = cstream_addcol(&cs, "y");
	kz = cstream_addcol(&cs, "z");
	T_EQ(cstream_addcol(&cs, "y"), ky);
	snprintf(out, sizeof(out), "%s/out.csv", dir);
	fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	o = csvout_new(fd);
	cstream_flushto(&cs, o);
	cstream_write_header(&cs, o);
	while (cstream_next(&cs, &c, err, sizeof(err)) == 1) {
		cstream_setnum(&cs, kx, c.close * 2);
		cstream_settime(&cs, ky, c.t + 60 * CK_SEC);
		if (cs.rows == 1)
			cstream_setint(&cs, kz, -3);
		cstream_write_row(&cs, o);
	}
	T_EQ(cstream_line(&cs), 3);
	cstream_close(&cs);
	T_EQ(csvout_flush(o), 0);
	csvout_free(o);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	T_OK(strcmp(buf, HDR ",note,x,y,z\n"
	    R1 ",\"a,b\",16.22,2024-06-14T01:31:00Z,-3\n"
	    R2 ",c,16.24,2024-06-14T01:32:00Z,\n") == 0);
	if (strstr(buf, "16.22") == NULL)
		fputs(buf, stderr);
}

int
main(void)
{
	char cmd[300];
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	T_RUN(test_read);
	T_RUN(test_errors);
	T_RUN(test_write);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	r = system(cmd);
	(void)r;
	return T_END();
}
