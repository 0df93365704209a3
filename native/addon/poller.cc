// Readiness from a kernel into the libuv loop.  A poller is a kernel epoll
// instance whose "became ready" hook (rump_epoll_notify) posts one call to
// the loop (a thread-safe function; a flag folds a burst of wake-ups into
// one call); there JavaScript's callback collects the ready entries with a
// zero-timeout epoll_wait.  No thread waits anywhere: a thousand idle
// sockets cost their epoll entries and nothing else.
#include "handles.h"

#include <atomic>
#include <cerrno>

namespace {

struct Poller {
  napi_threadsafe_function tsfn = nullptr;
  std::atomic<bool> pending{false};
  napi_env env = nullptr;
  napi_ref handle = nullptr;          // keeps ph alive while we are open
  ProcHandle *ph = nullptr;
  int epfd = -1;
  bool closed = false;
  std::shared_ptr<AddonData> data;
};

void poller_signal(void *arg) {
  // Any thread, with a kernel lock held: only post, and only once until
  // the loop has run the call.
  auto *p = static_cast<Poller *>(arg);
  if (!p->pending.exchange(true))
    napi_call_threadsafe_function(p->tsfn, nullptr, napi_tsfn_nonblocking);
}

// On the loop thread.
void poller_fire(napi_env env, napi_value fn, void *context, void *) {
  auto *p = static_cast<Poller *>(context);
  if (env == nullptr || fn == nullptr) return;   // the environment is going
  p->pending.store(false);
  if (p->closed) return;
  napi_value global, result;
  napi_get_global(env, &global);
  napi_call_function(env, global, fn, 0, nullptr, &result);
}

void poller_free(napi_env, void *finalize_data, void *) {
  delete static_cast<Poller *>(finalize_data);
}

// Detach from the kernel and close the handle (the memory goes with it).
void poller_close(Poller *p) {
  if (p->closed) return;
  p->closed = true;
  if (!p->ph->kh->halted && !p->ph->exited) {
    rump_lwproc_switch(p->ph->l);
    rump_epoll_notify(p->epfd, nullptr, nullptr);
  }
  p->data->pollers.erase(p);
  if (p->handle != nullptr) {
    napi_delete_reference(p->env, p->handle);
    p->handle = nullptr;
  }
  kernel_unref(p->ph->kh);
  napi_release_threadsafe_function(p->tsfn, napi_tsfn_abort);
}

const napi_type_tag poller_tag = {0x72756d706b697421ull, 0x706f6c6c65722121ull};

Poller *unwrap_poller(napi_env env, napi_value v) {
  auto *po = static_cast<Poller *>(unwrap_tagged(env, v, &poller_tag, "poller"));
  if (po == nullptr) return nullptr;
  if (po->closed) {
    throw_code(env, "ERR_INVALID_STATE", "The poller is closed");
    return nullptr;
  }
  return po;
}

// pollerCreate(handle, epfd, callback): the poller starts unreferenced.
napi_value js_poller_create(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return throw_type(env, "ERR_INVALID_ARG_TYPE", "pollerCreate takes 3 arguments");
  ProcHandle *ph = live_proc(env, argv[0]);
  if (ph == nullptr) return nullptr;
  int32_t epfd;
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  if (napi_get_value_int32(env, argv[1], &epfd) != napi_ok || t != napi_function)
    return throw_type(env, "ERR_INVALID_ARG_TYPE", "pollerCreate(handle, epfd, callback)");
  auto *p = new Poller();
  p->env = env;
  p->ph = ph;
  p->epfd = epfd;
  p->data = ph->kh->data;
  napi_value name;
  napi_create_string_utf8(env, "rumpkit:poller", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[2], nullptr, name, 0, 1, p, poller_free, p,
                                      poller_fire, &p->tsfn) != napi_ok) {
    delete p;
    return throw_code(env, "ERR_RUMP_POLLER", "cannot create the wake-up call");
  }
  napi_unref_threadsafe_function(env, p->tsfn);
  napi_create_reference(env, argv[0], 1, &p->handle);
  ph->kh->refs++;
  p->data->pollers.insert(p);
  rump_lwproc_switch(ph->l);
  int error = rump_epoll_notify(epfd, poller_signal, p);
  if (error != 0) {
    poller_close(p);
    return throw_errno(env, error, "pollerCreate");
  }
  napi_value r;
  napi_create_external(env, p, nullptr, nullptr, &r);
  napi_type_tag_object(env, r, &poller_tag);
  return r;
}

// pollerRef(poller, on): whether the poller keeps the event loop alive.
napi_value js_poller_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Poller *p = unwrap_poller(env, argc ? argv[0] : nullptr);
  if (p == nullptr) return nullptr;
  bool on = false;
  if (argc > 1) napi_get_value_bool(env, argv[1], &on);
  if (on)
    napi_ref_threadsafe_function(env, p->tsfn);
  else
    napi_unref_threadsafe_function(env, p->tsfn);
  return nullptr;
}

napi_value js_poller_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  // closing twice is fine: no "closed" check here
  auto *p = static_cast<Poller *>(unwrap_tagged(env, argc ? argv[0] : nullptr, &poller_tag, "poller"));
  if (p == nullptr) return nullptr;
  if (!p->closed) poller_close(p);
  return nullptr;
}

}  // namespace

// A kernel halts: its pollers stop (their epoll instances are gone).
void close_pollers(AddonData *data, KernelHandle *kh) {
  std::vector<void *> all(data->pollers.begin(), data->pollers.end());
  for (void *v : all) {
    auto *p = static_cast<Poller *>(v);
    if (kh == nullptr || p->ph->kh == kh) poller_close(p);
  }
}

void register_poller(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"pollerCreate", nullptr, js_poller_create, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pollerRef", nullptr, js_poller_ref, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pollerClose", nullptr, js_poller_close, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
