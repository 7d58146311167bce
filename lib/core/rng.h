/*
 * rng.h - splitmix64 (Steele, Lea, Flood 2014): the one generator every
 * seeded choice derives from (weight init seeds, shuffles, model ids).
 */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

/* The next value of the sequence at *state (advances it). */
static inline uint64_t
splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#endif
