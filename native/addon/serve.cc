// Serving a kernel's system calls to other programs (rump_sysproxy.h):
// the server runs on native threads of its own; JavaScript only starts it,
// reads its address and counters, and stops it.  Halting the kernel stops
// its servers first.
#include "handles.h"

extern "C" {
#include <rump/rump_sysproxy.h>
}

namespace {

struct Server {
  struct rump_sysproxy *sp = nullptr;
  KernelHandle *kh = nullptr;
  AddonData *data = nullptr;
  bool closed = false;
  bool orphan = false;  // its external was collected: free it when it closes
};

const napi_type_tag server_tag = {0x72756d706b697421ull, 0x7365727665722121ull};

// Stop s (once); the struct itself lives while its external does.
int server_close(Server *s) {
  if (s->closed) return 0;
  s->closed = true;
  s->data->servers.erase(s);
  int error = rump_sysproxy_stop(s->sp);
  s->sp = nullptr;
  kernel_unref(s->kh);
  if (s->orphan) delete s;
  return error;
}

void server_finalize(napi_env, void *p, void *) {
  auto *s = static_cast<Server *>(p);
  if (s->closed)
    delete s;
  else
    s->orphan = true;
}

Server *unwrap_server(napi_env env, napi_value v) {
  auto *s = static_cast<Server *>(unwrap_tagged(env, v, &server_tag, "server"));
  if (s != nullptr && s->closed) {
    throw_code(env, "ERR_INVALID_STATE", "The server is closed");
    return nullptr;
  }
  return s;
}

// serveStart(handle, url, keepRoot)
napi_value js_serve_start(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return throw_type(env, "ERR_INVALID_ARG_TYPE", "serveStart takes 3 arguments");
  ProcHandle *ph = live_proc(env, argv[0]);
  if (ph == nullptr) return nullptr;
  std::string url;
  if (!get_string_arg(env, argv[1], "url", &url)) return nullptr;
  bool keep = false;
  napi_get_value_bool(env, argv[2], &keep);
  auto *s = new Server();
  int error = rump_sysproxy_start(ph->kh->k, url.c_str(), keep ? RUMP_SP_KEEPROOT : 0, &s->sp);
  if (error != 0) {
    delete s;
    return throw_errno(env, error, "serve");
  }
  s->kh = ph->kh;
  s->kh->refs++;
  s->data = ph->kh->data.get();
  s->data->servers.insert(s);
  napi_value r;
  napi_create_external(env, s, server_finalize, nullptr, &r);
  napi_type_tag_object(env, r, &server_tag);
  return r;
}

napi_value js_serve_url(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Server *s = unwrap_server(env, argc ? argv[0] : nullptr);
  if (s == nullptr) return nullptr;
  napi_value r;
  napi_create_string_utf8(env, rump_sysproxy_url(s->sp), NAPI_AUTO_LENGTH, &r);
  return r;
}

napi_value js_serve_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Server *s = unwrap_server(env, argc ? argv[0] : nullptr);
  if (s == nullptr) return nullptr;
  struct rump_sysproxy_stats st;
  rump_sysproxy_stats(s->sp, &st);
  napi_value r, v;
  napi_create_object(env, &r);
  const std::pair<const char *, unsigned long> fields[] = {
      {"clients", st.clients}, {"accepted", st.accepted}, {"calls", st.calls}, {"dropped", st.dropped}};
  for (const auto &f : fields) {
    napi_create_double(env, static_cast<double>(f.second), &v);
    napi_set_named_property(env, r, f.first, v);
  }
  return r;
}

// serveStop(server): closing twice is fine.
napi_value js_serve_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  auto *s = static_cast<Server *>(unwrap_tagged(env, argc ? argv[0] : nullptr, &server_tag, "server"));
  if (s == nullptr) return nullptr;
  int error = server_close(s);
  if (error != 0) return throw_errno(env, error, "serve stop");
  return nullptr;
}

}  // namespace

void close_servers(AddonData *data, KernelHandle *kh) {
  std::vector<void *> all(data->servers.begin(), data->servers.end());
  for (void *v : all) {
    auto *s = static_cast<Server *>(v);
    if (kh == nullptr || s->kh == kh) server_close(s);
  }
}

void register_serve(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"serveStart", nullptr, js_serve_start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"serveUrl", nullptr, js_serve_url, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"serveStats", nullptr, js_serve_stats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"serveStop", nullptr, js_serve_stop, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
