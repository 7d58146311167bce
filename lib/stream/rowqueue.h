/*
 * rowqueue.h - rows of a candle stream held after they were read, until
 * the values of the stream's added columns (cstream_addcol) are known for
 * them: batched predictions, for instance.  Each held row keeps its input
 * fields and its own added values; rowqueue_write writes them in the order
 * they were taken, with the stream's rule for added columns (a column of
 * the same name is replaced in place, others are appended).
 */
#ifndef ROWQUEUE_H
#define ROWQUEUE_H

#include <stddef.h>
#include "ck.h"
#include "cstream.h"
#include "rowcopy.h"

#define ROWQUEUE_VALLEN	48	/* an added value's bytes, at most, plus 1 */

struct rowqueue {
	int		 cap, n;	/* rows held at most, held */
	int		 ncol, nadd;	/* input and added columns */
	int		*repl;		/* (ncol) added column replacing it, or -1 */
	char		*app;		/* (nadd) 1: appended after the input */
	struct rowcopy	*in;		/* (cap) input fields */
	char		*val;		/* (cap, nadd, ROWQUEUE_VALLEN) */
	unsigned char	*len;		/* (cap, nadd) */
};

/* For cs's columns as they are now (every column added): 0 or CK_ERR. */
int	rowqueue_init(struct rowqueue *, const struct cstream *, int cap,
	    char *err, size_t errlen);
void	rowqueue_free(struct rowqueue *);
/* Hold the row cs has just read, with empty added values: its slot, or -1
 * when the queue is full or out of memory. */
int	rowqueue_take(struct rowqueue *, const struct cstream *);
/* Added column k of held row r; values longer than ROWQUEUE_VALLEN - 1
 * bytes are refused (the value stays empty) and -1 returned. */
int	rowqueue_set(struct rowqueue *, int r, int k, const char *s, size_t len);
void	rowqueue_setfloat(struct rowqueue *, int r, int k, float x);
void	rowqueue_setnum(struct rowqueue *, int r, int k, double x);
void	rowqueue_settime(struct rowqueue *, int r, int k, cktime t);
/* Write every held row to out, oldest first, and empty the queue. */
void	rowqueue_write(struct rowqueue *, struct csvout *out);

#endif
