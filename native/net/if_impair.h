/*
 * Impairments: a filter on an interface's output that loses, duplicates,
 * reorders and delays frames, driven by a seeded generator so that a run
 * is repeatable.  It wraps any driver (if_output_frame calls it before
 * if_transmit); shmif keeps the parameters in its bus so that every member
 * of a bus applies the same ones.  Under ns_lock.
 */
#ifndef NET_IF_IMPAIR_H
#define NET_IF_IMPAIR_H

#include "sys/systm.h"

struct ifnet;
struct mbuf;

struct impair_params {
	uint32_t	loss_ppm;	/* per million frames */
	uint32_t	dup_ppm;
	uint32_t	reorder_ppm;	/* held back behind the next frame */
	uint32_t	delay_us;	/* every frame, order kept */
	uint64_t	seed;
};

/*
 * Parameters where several writers and readers may see them (shared
 * memory): a sequence word, odd while being written.
 */
struct impair_shared {
	_Atomic uint32_t is_gen;
	_Atomic uint32_t is_loss, is_dup, is_reorder, is_delay;
	_Atomic uint64_t is_seed;
};

struct impair_stats {
	uint64_t	dropped, duplicated, reordered, delayed, overflow;
};

void	impair_shared_set(struct impair_shared *s, const struct impair_params *p);
/*
 * Attach the filter to ifp; src: where the parameters live (a bus), or
 * NULL for the filter's own.  ENOMEM.
 */
int	impair_attach(struct ifnet *ifp, struct impair_shared *src);
void	impair_destroy(struct ifnet *ifp);
/* Set the parameters (of the bus, when they live in one). */
void	impair_set(struct ifnet *ifp, const struct impair_params *p);
void	impair_getstats(struct ifnet *ifp, struct impair_stats *st);
/* if_output_frame's step: m consumed. */
int	impair_output(struct ifnet *ifp, struct mbuf *m);

#endif
