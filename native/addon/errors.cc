// Errors thrown from the addon, shaped like Node's own (a code property).
#include "handles.h"

#include <cstdio>
#include <cstring>

namespace {

napi_value make_error(napi_env env, bool type, const char *code, const char *msg) {
  napi_value c, m, e;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  if (type)
    napi_create_type_error(env, c, m, &e);
  else
    napi_create_error(env, c, m, &e);
  return e;
}

}  // namespace

napi_value throw_code(napi_env env, const char *code, const char *msg) {
  napi_throw(env, make_error(env, false, code, msg));
  return nullptr;
}

napi_value throw_type(napi_env env, const char *code, const char *msg) {
  napi_throw(env, make_error(env, true, code, msg));
  return nullptr;
}

// An errno from the kernel outside a system call (boot, rfork): the
// TypeScript layer turns errno/syscall into a RumpError.
napi_value throw_errno(napi_env env, int error, const char *what) {
  char msg[128];
  std::snprintf(msg, sizeof(msg), "%s failed: %s", what, std::strerror(error));
  napi_value e = make_error(env, false, "ERR_RUMP_ERRNO", msg), v;
  napi_create_int32(env, -error, &v);
  napi_set_named_property(env, e, "errno", v);
  napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, e, "syscall", v);
  napi_throw(env, e);
  return nullptr;
}
