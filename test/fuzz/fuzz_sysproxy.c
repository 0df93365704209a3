/*
 * A fuzzer of the sysproxy server: each input is the byte stream of one
 * client connection (a HELLO, then CALL, FORK, EXEC, INTERRUPT frames),
 * served by the server's own frame handler (sp_serve_bytes) against a
 * fresh kernel, with a process that never sleeps.  Whatever the bytes,
 * the server must not crash, read out of bounds, hang or leak, and the
 * kernel must get all its memory back at halt.
 *
 * Seeds (corpus/sysproxy/) are the streams real clients sent: t_sysproxy's
 * client scenarios recorded through a proxy (SP_RECORD_DIR=DIR
 * build/cmake/t_sysproxy record).  Built with clang -fsanitize=fuzzer it is
 * a libFuzzer target (npm run fuzz:sysproxy); built without, main()
 * replays the kept inputs and mutations of the seeds as a test.
 */
#include <stdint.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "sysproxy/sp_proto.h"
#include "sysproxy/sp_server.h"

#include "fuzz_kernel.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MUTANTS_PER_SEED	300

static unsigned current;	/* the generated input running, for reports */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rump_kernel *k = fuzz_kernel_boot();

	rump_kernel_enter(k);
	rump_sys_mkdir("/tmp/spf", 0755);
	rump_sys_mkdir("/tmp/sps", 0777);
	(void)sp_serve_bytes(k, data, size);
	rump_kernel_leave();
	fuzz_kernel_halt(k, current);
	return 0;
}

#ifndef RUMPKIT_LIBFUZZER
#include "replay.h"

size_t
fuzz_generate(unsigned i, uint8_t *buf, size_t cap)
{
	current = i;
	return replay_mutant(FUZZ_CORPUS_DIR, i, MUTANTS_PER_SEED, 4096, buf, cap);
}

int
main(int argc, char **argv)
{
	return fuzz_replay_main(argc, argv, FUZZ_REGRESS_DIR,
	    replay_count_seeds(FUZZ_CORPUS_DIR) * MUTANTS_PER_SEED);
}
#endif
