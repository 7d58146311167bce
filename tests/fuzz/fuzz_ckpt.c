/*
 * fuzz_ckpt.c - any bytes as a checkpoint file (a stranger's file is plain
 * data: loading it succeeds or fails with a message, never crashes, never
 * reads or allocates beyond what the file declares and its size allows).
 *
 * The CRC would stop almost every mutation at the first check, so each
 * input is loaded three ways: as it is; with its CRC32 trailer recomputed
 * (what a careless or hostile writer produces); and with the magic,
 * version, header size and file size fields also made right, so the
 * fuzzer reaches the configuration, tensor table and data checks.
 * Each load goes into a zeroed model and into one already initialized
 * (the two paths of ckpt_load); ckpt_print_info and ckpt_stamp see the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ck.h"
#include "ckpt.h"
#include "model.h"
#include "fuzz.h"

#define MAXFILE	(1 << 20)

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static void
fix_crc(unsigned char *b, size_t n)
{
	if (n >= CKPT_HDRSIZE + 4)
		put32(b + n - 4, (uint32_t)crc32(0, b, (uInt)(n - 4)));
}

static void
load(const unsigned char *b, size_t n)
{
	static struct model warm;
	static FILE *devnull;
	struct ckpt_meta meta;
	struct ckpt_stamp st;
	struct model m;
	char err[512];
	const char *path = fuzz_file(b, n);
	int r1, r2;

	if (warm.params == NULL) {
		struct model_config c = { .W = 4, .d = 8, .L = 1, .h = 2 };

		if (model_init(&warm, &c, err, sizeof(err)) != 0)
			abort();
		devnull = fopen("/dev/null", "w");
	}
	memset(&m, 0, sizeof(m));
	memset(err, 0, sizeof(err));
	r1 = ckpt_load(path, &m, &meta, err, sizeof(err));
	if (r1 == CK_OK) {
		if (m.params == NULL || m.nparams == 0 || m.step != meta.generation)
			abort();
		model_free(&m);
	} else {
		if (r1 != CK_EDATA)	/* a memory file: no I/O errors */
			abort();
		fuzz_msg(err, sizeof(err));
		if (m.params != NULL)	/* failure leaves m untouched */
			abort();
	}
	r2 = ckpt_load(path, &warm, &meta, err, sizeof(err));
	if (r2 != r1)
		abort();
	if (ckpt_print_info(devnull, path, err, sizeof(err)) != CK_OK)
		fuzz_msg(err, sizeof(err));
	if (ckpt_stamp(path, &st) == 0 && ckpt_changed(path, &st) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *b;

	if (size > MAXFILE)
		return 0;
	load(data, size);
	if (size < CKPT_HDRSIZE + 4)
		return 0;
	if ((b = malloc(size)) == NULL)
		return 0;
	memcpy(b, data, size);
	fix_crc(b, size);
	load(b, size);
	memcpy(b, CKPT_MAGIC, 8);
	put32(b + 8, CKPT_VERSION);
	put32(b + 12, CKPT_HDRSIZE);
	put64(b + 80, size);
	fix_crc(b, size);
	load(b, size);
	free(b);
	return 0;
}
