/*
 * The server's insides that tests and the fuzzer reach (sp_server.c).
 */
#ifndef SYSPROXY_SP_SERVER_H
#define SYSPROXY_SP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rump/rump.h>

/*
 * Serve bytes as if one client had sent them on a connection, in the
 * calling thread, with a kernel process that never sleeps (a call that
 * would wait fails with EAGAIN); replies are read and thrown away.
 * Returns 0 when the bytes ran out, SP_BAD when a frame was malformed, -1
 * when the handshake was refused.
 */
int	sp_serve_bytes(struct rump_kernel *k, const uint8_t *data, size_t n);

#endif /* SYSPROXY_SP_SERVER_H */
