/*
 * TCP options: parsing what a segment carries (every length checked: this
 * is fed by the wire and fuzzed) and writing ours.
 *
 * Layouts written, as Linux writes them so that captures compare easily:
 *   SYN:   MSS(4) SACK-permitted(2) timestamps(10) NOP window-scale(3)
 *          (with NOPs where one of them is absent)
 *   other: NOP NOP timestamps(10), then NOP NOP SACK(2 + 8n)
 */
#include "sys/systm.h"
#include "netinet/tcp_var.h"

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
tcp_dooptions(struct tcpopt *to, const uint8_t *cp, size_t len, bool syn)
{
	size_t i = 0;

	to->to_flags = 0;
	to->to_nsacks = 0;
	while (i < len) {
		uint8_t kind = cp[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			break;
		olen = cp[i + 1];
		if (olen < 2 || olen > len - i)
			break;		/* malformed: stop here */
		switch (kind) {
		case TCPOPT_MAXSEG:
			if (olen == TCPOLEN_MAXSEG && syn) {
				to->to_flags |= TOF_MSS;
				to->to_mss = (uint16_t)(cp[i + 2] << 8 | cp[i + 3]);
			}
			break;
		case TCPOPT_WINDOW:
			if (olen == TCPOLEN_WINDOW && syn) {
				to->to_flags |= TOF_SCALE;
				/* RFC 7323 2.3: larger than 14 means 14 */
				to->to_wscale = MIN(cp[i + 2], TCP_MAX_WINSHIFT);
			}
			break;
		case TCPOPT_SACK_PERMITTED:
			if (olen == TCPOLEN_SACK_PERMITTED && syn)
				to->to_flags |= TOF_SACKPERM;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				to->to_flags |= TOF_TS;
				to->to_tsval = get32(cp + i + 2);
				to->to_tsecr = get32(cp + i + 6);
			}
			break;
		case TCPOPT_SACK:
			if (olen > 2 && (olen - 2) % 8 == 0 && !syn &&
			    !(to->to_flags & TOF_SACK)) {
				int n = MIN((olen - 2) / 8, TCP_MAXSACK);

				for (int j = 0; j < n; j++) {
					const uint8_t *b = cp + i + 2 + 8 * j;

					to->to_sacks[j].start = get32(b);
					to->to_sacks[j].end = get32(b + 4);
				}
				to->to_nsacks = (uint8_t)n;
				to->to_flags |= TOF_SACK;
			}
			break;
		default:
			break;		/* unknown options are skipped */
		}
		i += olen;
	}
}

static size_t
syn_optlen(const struct tcpopt *to)
{
	size_t n = 0;

	if (to->to_flags & TOF_MSS)
		n += 4;
	if (to->to_flags & TOF_TS)
		n += 12;	/* SACK-permitted or two NOPs, then TS */
	else if (to->to_flags & TOF_SACKPERM)
		n += 4;		/* NOP NOP SACK-permitted */
	if (to->to_flags & TOF_SCALE)
		n += 4;
	return n;
}

size_t
tcp_optlen(const struct tcpopt *to)
{
	size_t n;

	if (to->to_flags & (TOF_MSS | TOF_SCALE | TOF_SACKPERM))
		return syn_optlen(to);
	n = (to->to_flags & TOF_TS) ? 12 : 0;
	if ((to->to_flags & TOF_SACK) && to->to_nsacks > 0) {
		size_t room = (TCP_MAXOLEN - n - 4) / 8;
		size_t k = MIN((size_t)to->to_nsacks, room);

		if (k > 0)
			n += 4 + 8 * k;
	}
	return n;
}

size_t
tcp_addoptions(const struct tcpopt *to, uint8_t *buf)
{
	uint8_t *p = buf;

	if (to->to_flags & (TOF_MSS | TOF_SCALE | TOF_SACKPERM)) {
		if (to->to_flags & TOF_MSS) {
			*p++ = TCPOPT_MAXSEG;
			*p++ = TCPOLEN_MAXSEG;
			*p++ = (uint8_t)(to->to_mss >> 8);
			*p++ = (uint8_t)to->to_mss;
		}
		if (to->to_flags & TOF_TS) {
			if (to->to_flags & TOF_SACKPERM) {
				*p++ = TCPOPT_SACK_PERMITTED;
				*p++ = TCPOLEN_SACK_PERMITTED;
			} else {
				*p++ = TCPOPT_NOP;
				*p++ = TCPOPT_NOP;
			}
			*p++ = TCPOPT_TIMESTAMP;
			*p++ = TCPOLEN_TIMESTAMP;
			put32(p, to->to_tsval);
			put32(p + 4, to->to_tsecr);
			p += 8;
		} else if (to->to_flags & TOF_SACKPERM) {
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_SACK_PERMITTED;
			*p++ = TCPOLEN_SACK_PERMITTED;
		}
		if (to->to_flags & TOF_SCALE) {
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_WINDOW;
			*p++ = TCPOLEN_WINDOW;
			*p++ = to->to_wscale;
		}
		return (size_t)(p - buf);
	}
	if (to->to_flags & TOF_TS) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_TIMESTAMP;
		*p++ = TCPOLEN_TIMESTAMP;
		put32(p, to->to_tsval);
		put32(p + 4, to->to_tsecr);
		p += 8;
	}
	if ((to->to_flags & TOF_SACK) && to->to_nsacks > 0) {
		size_t used = (size_t)(p - buf);
		size_t room = (TCP_MAXOLEN - used - 4) / 8;
		size_t k = MIN((size_t)to->to_nsacks, room);

		if (k > 0) {
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_SACK;
			*p++ = (uint8_t)(2 + 8 * k);
			for (size_t j = 0; j < k; j++) {
				put32(p, to->to_sacks[j].start);
				put32(p + 4, to->to_sacks[j].end);
				p += 8;
			}
		}
	}
	return (size_t)(p - buf);
}
