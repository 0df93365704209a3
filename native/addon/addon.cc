// The rumpkit addon: module setup, per-environment state and teardown.
#include <napi.h>

#include <cstdio>
#include <cstdlib>

#include "handles.h"

extern "C" {
#include <rump/rump.h>
}

namespace {

#include "gen/addon_constants.inc"

// At environment exit every kernel the environment booted is halted, then
// the console sink is released.
void env_cleanup(void *arg) {
  auto *data = static_cast<std::shared_ptr<AddonData> *>(arg);
  size_t n = (*data)->kernels.size();
  close_pollers(data->get(), nullptr);
  halt_all_kernels(data->get());
  // For tests and debugging: say what teardown did (no JavaScript runs now).
  if (std::getenv("RUMPKIT_TRACE_TEARDOWN") != nullptr)
    std::fprintf(stderr, "rumpkit: environment teardown halted %zu kernels\n", n);
  (*data)->ctl = nullptr;
  if ((*data)->console != nullptr) {
    napi_release_threadsafe_function((*data)->console, napi_tsfn_abort);
    (*data)->console = nullptr;
  }
}

void data_finalize(napi_env, void *arg, void *) {
  delete static_cast<std::shared_ptr<AddonData> *>(arg);
}

// A bare call into the addon, to measure what the binding itself costs.
Napi::Value Noop(const Napi::CallbackInfo &info) { return info.Env().Undefined(); }

napi_value RawNoop(napi_env, napi_callback_info) { return nullptr; }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto *data = new std::shared_ptr<AddonData>(std::make_shared<AddonData>());
  napi_set_instance_data(env, data, data_finalize, nullptr);
  napi_add_env_cleanup_hook(env, env_cleanup, data);

  register_kernel(env, exports);
  register_host(env, exports);
  register_poller(env, exports);
  register_net(env, exports);
  register_serve(env, exports);
  register_sys_all(env, exports, data->get());

  // The control array of the system calls (see sys.cc).
  void *ctl_mem = nullptr;
  napi_value ab, ctl;
  napi_create_arraybuffer(env, 8 * sizeof(double), &ctl_mem, &ab);
  napi_create_typedarray(env, napi_float64_array, 8, ab, 0, &ctl);
  napi_create_reference(env, ab, 1, &(*data)->ctl_ref);
  (*data)->ctl = static_cast<double *>(ctl_mem);
  exports.Set("ctl", Napi::Value(env, ctl));

  Napi::Object constants = Napi::Object::New(env);
  register_constants(env, constants);
  exports.Set("constants", constants);
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  napi_value raw;
  napi_create_function(env, "rawNoop", NAPI_AUTO_LENGTH, RawNoop, nullptr, &raw);
  exports.Set("rawNoop", Napi::Value(env, raw));
  exports.Set("version", Napi::String::New(env, RUMPKIT_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(rumpkit, Init)
