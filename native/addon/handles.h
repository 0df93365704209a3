// Handles the addon gives JavaScript for kernels and their processes.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

extern "C" {
#include <rump/rump.h>
}

struct KernelHandle;

// One per Node environment (main thread or worker): kernels booted from
// that environment, and its console sink.
struct ProcHandle;

struct AddonData {
  std::unordered_set<KernelHandle *> kernels;
  // Process handles by slot: system calls name their process by slot number,
  // the cheapest thing to pass and check on every call.
  std::vector<ProcHandle *> procs;
  std::vector<uint32_t> free_slots;
  // The control array shared with JavaScript (exported as `ctl`): [slot,
  // result, arg0 … arg5].  Its memory belongs to an ArrayBuffer held below.
  double *ctl = nullptr;
  napi_ref ctl_ref = nullptr;
  uint32_t next_id = 1;
  napi_threadsafe_function console = nullptr;
  std::unordered_set<void *> pollers;  // poller.cc's, open ones
  std::unordered_set<void *> servers;  // serve.cc's, open ones
};

struct KernelHandle {
  struct rump_kernel *k = nullptr;
  uint32_t id = 0;
  bool halted = false;
  int refs = 0;                       // process handles, the kernel's own included
  std::shared_ptr<AddonData> data;    // outlives the environment's teardown order
  napi_threadsafe_function console = nullptr;  // held while the kernel lives
};

// A process of a kernel, as seen from the environment's JavaScript thread:
// the lwp that thread uses to act in it.
struct ProcHandle {
  KernelHandle *kh = nullptr;
  uint32_t slot = 0;
  struct lwp *l = nullptr;
  bool exited = false;
  bool main = false;                  // the kernel's own: collecting it halts the kernel
};

// kernel.cc
int kernel_halt(KernelHandle *kh);
// The pointer of an external carrying tag, or null with a TypeError
// "Expected a rumpkit <what>" thrown.
void *unwrap_tagged(napi_env env, napi_value v, const napi_type_tag *tag, const char *what);
ProcHandle *unwrap_proc(napi_env env, napi_value v);
ProcHandle *live_proc(napi_env env, napi_value v);
void kernel_unref(KernelHandle *kh);
void register_kernel(napi_env env, napi_value exports);
void halt_all_kernels(AddonData *data);

// poller.cc: readiness into the event loop
void register_poller(napi_env env, napi_value exports);
// Close the pollers of kh's kernel (all of them with kh null).
void close_pollers(AddonData *data, KernelHandle *kh);

// serve.cc: sysproxy servers
void register_serve(napi_env env, napi_value exports);
// Stop the servers of kh's kernel (all of them with kh null).
void close_servers(AddonData *data, KernelHandle *kh);

// net.cc: interfaces, routes, capture
void register_net(napi_env env, napi_value exports);

// host.cc
void register_host(napi_env env, napi_value exports);

// kernel.cc: a string argument (named name in the error) without NUL bytes,
// or false with a TypeError thrown.
bool get_string_arg(napi_env env, napi_value v, const char *name, std::string *out);

// sys.cc
void register_sys_all(napi_env env, napi_value exports, AddonData *data);

// errors.cc
napi_value throw_code(napi_env env, const char *code, const char *msg);
napi_value throw_type(napi_env env, const char *code, const char *msg);
napi_value throw_errno(napi_env env, int error, const char *what);
