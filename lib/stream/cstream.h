/*
 * cstream.h - the canonical candle stream (candle-stream(5)): read rows of
 * time,open,high,low,close,volume[,more...], validate them, and write them
 * back with columns appended (or replaced in place when the input already
 * has a column of that name).  Passed-through fields keep their text.
 */
#ifndef CSTREAM_H
#define CSTREAM_H

#include "ck.h"
#include "csvio.h"
#include "candle.h"

/* Name of canonical column i (0 time .. 5 volume), or NULL. */
const char *candle_colname(int i);
/* The value of column col (1 open .. 5 volume). */
double	*candle_val(struct candle *, int col);
/* Column col's text as a finite number (empty, junk, inf, nan: -1). */
int	candle_parse_num(const char *s, size_t len, int col, double *x,
	    char *why, size_t n);
/* The reason a time text s[0..len) was refused (r: the parser's result). */
void	candle_bad_time(const char *s, size_t len, int r, char *why, size_t n);

#define CSTREAM_MAXADD 64

struct cstream {
	struct csvin	*in;
	int		 ncol;		/* input columns */
	char		**name;		/* input header names */
	long		 rows;		/* data rows read */
	cktime		 last;		/* time of the last row */
	char		 day[11];	/* "YYYY-MM-DDT" of the last whole-second */
	int		 dayok;		/* time parsed, and daybase its start */
	cktime		 daybase;
	int		 nadd;		/* appended (or replaced) columns */
	int		 addcol[CSTREAM_MAXADD];	/* input column replaced, or -1 */
	char		*addname[CSTREAM_MAXADD];
	char		*val[CSTREAM_MAXADD];	/* this row's values */
	size_t		 vallen[CSTREAM_MAXADD];
	size_t		 valcap[CSTREAM_MAXADD];
};

/* Open and read the header (the first six names must be the canonical
 * ones); a missing header is CK_EDATA.  A header that is not the canonical
 * one is CK_EDATA with a message containing CSTREAM_NOT_STREAM, by which a
 * program knows to say how to convert the file. */
#define CSTREAM_NOT_STREAM	"not a candle stream"
int	cstream_open(struct cstream *, const char *path, char *err, size_t errlen);
void	cstream_close(struct cstream *);
/* Flush out before any read that may block. */
void	cstream_flushto(struct cstream *, struct csvout *out);
/* 1 a row; 0 end; CK_EDATA (err: "file:line: reason") or CK_ERR.  Checks
 * numbers (finite, prices > 0, volume >= 0), low <= min(open, close),
 * high >= max(open, close), strictly increasing time. */
int	cstream_next(struct cstream *, struct candle *, char *err, size_t errlen);
int	cstream_ready(struct cstream *);
/* Index of an input column by name, or -1. */
int	cstream_col(const struct cstream *, const char *name);
const char *cstream_field(const struct cstream *, int col, size_t *len);
const char *cstream_file(const struct cstream *);
long	cstream_line(const struct cstream *);

/* Output columns: returns the slot k for cstream_set*, or -1. */
int	cstream_addcol(struct cstream *, const char *name);
void	cstream_set(struct cstream *, int k, const char *s, size_t len);
void	cstream_setnum(struct cstream *, int k, double x);
void	cstream_setfloat(struct cstream *, int k, float x);
void	cstream_setint(struct cstream *, int k, long long x);
void	cstream_settime(struct cstream *, int k, cktime t);
void	cstream_write_header(struct cstream *, struct csvout *);
/* Writes the current row with this row's values, then empties them. */
void	cstream_write_row(struct cstream *, struct csvout *);

#endif
