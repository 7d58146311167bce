/*
 * csvio.h - CSV records in and out.  Input is parsed by libcsv, from a file,
 * stdin or a caller's byte source; gzip bytes (by magic) are inflated with
 * zlib transparently; a byte order mark (UTF-8, or UTF-16 LE/BE, which is
 * turned into UTF-8) is dropped.  Input never blocks with rows held back: before any
 * read that may block, the onblock hook runs (programs flush their output).
 * Knows nothing of candles.
 */
#ifndef CSVIO_H
#define CSVIO_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#define CSVIO_MAXLINE	(1 << 20)	/* a longer line is a data error */

struct csvin;

/* path "-" or NULL: standard input.  NULL on failure, reason in err. */
struct csvin	*csvin_open(const char *path, char *err, size_t errlen);
/* A reader over a caller's source: readfn returns bytes read, 0 at end,
 * -1 on error with errno set. name is used in messages. */
struct csvin	*csvin_new(const char *name,
		    ssize_t (*readfn)(void *ctx, void *buf, size_t n), void *ctx,
		    char *err, size_t errlen);
void		 csvin_free(struct csvin *);
void		 csvin_onblock(struct csvin *, void (*fn)(void *), void *arg);
/* 1: a record; 0: end of input; CK_EDATA or CK_ERR (ck.h) with
 * "name:line: reason" in err. */
int		 csvin_next(struct csvin *, char *err, size_t errlen);
/* 1 when the next record (or the end) can be had without blocking. */
int		 csvin_ready(struct csvin *);
size_t		 csvin_nfields(const struct csvin *);
/* Field i of the current record, NUL-terminated, unquoted. */
const char	*csvin_field(const struct csvin *, size_t i, size_t *len);
long		 csvin_line(const struct csvin *);	/* line of the current record */
const char	*csvin_name(const struct csvin *);
/* While blocked in a read interrupted by a signal: when *flag is set,
 * csvin_next returns CK_EINTR, else the read is retried. */
void		 csvin_stopflag(struct csvin *, volatile sig_atomic_t *flag);
/* The field separator (default ','): before the first record. */
void		 csvin_setsep(struct csvin *, int c);
/*
 * Line k (0 first) of the input as text (after gzip, byte order mark and
 * UTF-16 decoding), read ahead and kept for csvin_next; only before the
 * first csvin_next.  1 and *line, *len (no LF; a CR stays); 0 when the
 * input has fewer lines (or the first 1 MiB holds fewer); CK_ERR/CK_EDATA.
 */
int		 csvin_peekline(struct csvin *, int k, const char **line,
		    size_t *len, char *err, size_t errlen);
/* Up to n bytes of the input as text, for a reader of another format
 * (not mixed with csvin_next): >0, 0 at the end, or a status. */
ssize_t		 csvin_read_text(struct csvin *, void *buf, size_t n,
		    char *err, size_t errlen);
enum { CSVIN_UNKNOWN, CSVIN_PLAIN, CSVIN_UTF8BOM, CSVIN_UTF16LE,
    CSVIN_UTF16BE };
/* The encoding seen (CSVIN_UNKNOWN before anything was read). */
int		 csvin_encoding(const struct csvin *);

struct csvout;

struct csvout	*csvout_new(int fd);
void		 csvout_free(struct csvout *);
/* One field; a comma is written before all but a row's first; quoted when
 * it holds a comma, quote, CR or LF. */
void		 csvout_field(struct csvout *, const char *s, size_t len);
void		 csvout_str(struct csvout *, const char *s);
void		 csvout_empty(struct csvout *);
void		 csvout_num(struct csvout *, double x);	/* shortest round-trip */
void		 csvout_float(struct csvout *, float x);	/* shortest for a float */
void		 csvout_int(struct csvout *, long long x);
void		 csvout_end(struct csvout *);	/* "\n" */
/* A field known to need no quotes (a checked number or time). */
void		 csvout_plain(struct csvout *, const char *s, size_t len);
/* Bytes as they are: no separator, no quoting. */
void		 csvout_raw(struct csvout *, const char *s, size_t len);
size_t		 csvout_pending(const struct csvout *);	/* bytes buffered */
/* 0, or -1 with errno (EPIPE: the reader is gone). Sticky. */
int		 csvout_flush(struct csvout *);
int		 csvout_error(const struct csvout *);

/* Shortest decimal text that reads back to the same double (float);
 * buf holds at least 32 bytes; returns the length. */
size_t		 fmt_double(char *buf, double x);
size_t		 fmt_float(char *buf, float x);
/*
 * Text for a message: s[0..len) in single quotes, control bytes, quotes,
 * backslashes and bytes that are not printable UTF-8 as C escapes (\n,
 * \xHH), cut with "..." to fit size (>= 16) bytes.  Returns buf.
 */
const char	*quote_text(char *buf, size_t size, const char *s, size_t len);

/* Checked decimal parse of s[0..len): 0 and *x, or -1 (empty, junk,
 * non-finite).  Exact as strtod. */
int		 parse_double(const char *s, size_t len, double *x);

#endif
