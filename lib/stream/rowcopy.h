/*
 * rowcopy.h - a copy of the input fields of the row a candle stream has
 * just read, for programs that write a row later than they read it
 * (batched predictions, rows held until their pivots are final).
 */
#ifndef ROWCOPY_H
#define ROWCOPY_H

#include <stddef.h>
#include "cstream.h"

struct rowcopy {
	char	*buf;		/* the fields, back to back */
	size_t	 len, cap;
	size_t	*off;		/* (ncol + 1) field starts in buf */
	int	 ncol;
};

/* Copy the cs->ncol input fields of cs's current row (the storage grows
 * and is reused): 0, or -1 when out of memory. */
int	rowcopy_take(struct rowcopy *, const struct cstream *cs);
/* Field i of the copy and its length. */
const char *rowcopy_field(const struct rowcopy *, int i, size_t *len);
void	rowcopy_free(struct rowcopy *);

#endif
