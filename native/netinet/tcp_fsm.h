/*
 * TCP connection states (RFC 9293 section 3.3.2), numbered so that the
 * order means something: below ESTABLISHED the connection is not yet
 * synchronized, from CLOSE_WAIT on the peer's FIN was received or ours
 * was sent.  TCP_INFO reports Linux's numbers (tcp_state_linux).
 */
#ifndef NETINET_TCP_FSM_H
#define NETINET_TCP_FSM_H

#define TCPS_CLOSED		0
#define TCPS_LISTEN		1
#define TCPS_SYN_SENT		2
#define TCPS_SYN_RECEIVED	3
#define TCPS_ESTABLISHED	4
#define TCPS_CLOSE_WAIT		5	/* peer's FIN received */
#define TCPS_FIN_WAIT_1		6	/* our FIN sent */
#define TCPS_CLOSING		7	/* both sent, ours not acknowledged */
#define TCPS_LAST_ACK		8
#define TCPS_FIN_WAIT_2		9	/* ours acknowledged, waiting for theirs */
#define TCPS_TIME_WAIT		10
#define TCP_NSTATES		11

#define TCPS_HAVERCVDSYN(s)	((s) >= TCPS_SYN_RECEIVED)
#define TCPS_HAVEESTABLISHED(s)	((s) >= TCPS_ESTABLISHED)
/* the peer sent FIN: nothing more will arrive */
#define TCPS_HAVERCVDFIN(s)	((s) == TCPS_CLOSE_WAIT || (s) == TCPS_CLOSING || \
	(s) == TCPS_LAST_ACK || (s) == TCPS_TIME_WAIT)
/* we sent FIN: the user can send no more */
#define TCPS_SENTFIN(s)		((s) >= TCPS_FIN_WAIT_1)

#endif
