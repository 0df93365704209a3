/*
 * TCP sequence-number arithmetic (RFC 9293 section 3.4): sequence numbers
 * live on a circle of 2^32, so "less than" is the sign of the difference.
 * Valid while the two numbers are less than 2^31 apart.
 */
#ifndef NETINET_TCP_SEQ_H
#define NETINET_TCP_SEQ_H

#include <stdint.h>

typedef uint32_t tcp_seq;

#define SEQ_DIFF(a, b)	((int32_t)((uint32_t)(a) - (uint32_t)(b)))
#define SEQ_LT(a, b)	(SEQ_DIFF(a, b) < 0)
#define SEQ_LEQ(a, b)	(SEQ_DIFF(a, b) <= 0)
#define SEQ_GT(a, b)	(SEQ_DIFF(a, b) > 0)
#define SEQ_GEQ(a, b)	(SEQ_DIFF(a, b) >= 0)
#define SEQ_MIN(a, b)	(SEQ_LT(a, b) ? (a) : (b))
#define SEQ_MAX(a, b)	(SEQ_GT(a, b) ? (a) : (b))
/* a in [lo, hi) */
#define SEQ_INRANGE(a, lo, hi)	(SEQ_GEQ(a, lo) && SEQ_LT(a, hi))

/* Timestamps compare the same way (RFC 7323 section 5.3, PAWS). */
#define TSTMP_LT(a, b)	SEQ_LT(a, b)
#define TSTMP_GEQ(a, b)	SEQ_GEQ(a, b)

#endif
