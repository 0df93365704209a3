// The raw system calls for JavaScript: argument conversion and the switch
// to the calling process's lwp.  The wrappers themselves are generated.
#include "handles.h"

#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>

extern "C" {
#include <rump/rump_syscalls.h>
}

namespace {

ProcHandle *proc_arg(napi_env env, size_t argc, napi_value *argv) {
  return live_proc(env, argc ? argv[0] : nullptr);
}

// An integer argument (TypeScript has checked range; a non-number is refused).
bool int_arg(napi_env env, napi_value v, long *out) {
  int64_t i;
  if (napi_get_value_int64(env, v, &i) != napi_ok) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected a number");
    return false;
  }
  *out = static_cast<long>(i);
  return true;
}

// A buffer argument: any ArrayBufferView, or null where allowed.  need is
// the least byte length the kernel may touch through it without a length
// argument (a struct or a scalar); buffers with a length argument are
// bounded by the caller against *cap.
bool buf_arg(napi_env env, napi_value v, bool nullable, size_t need, long *out, size_t *cap) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    if (!nullable) {
      throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected an ArrayBufferView");
      return false;
    }
    *out = 0;
    *cap = 0;
    return true;
  }
  void *data = nullptr;
  size_t len = 0;
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type tt;
    size_t n;
    napi_get_typedarray_info(env, v, &tt, &n, &data, nullptr, nullptr);
    size_t es = 1;
    switch (tt) {
      case napi_int16_array: case napi_uint16_array: es = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: es = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: es = 8; break;
      default: es = 1;
    }
    len = n * es;
  } else if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    napi_get_dataview_info(env, v, &len, &data, nullptr, nullptr);
  } else {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected an ArrayBufferView");
    return false;
  }
  if (len < need) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "Buffer too small for the argument");
    return false;
  }
  // A zero-length view may have no backing store; the kernel sees a
  // non-null pointer it will not touch (a length of 0 bounds it).
  static char empty;
  *out = reinterpret_cast<long>(data != nullptr ? data : &empty);
  *cap = len;
  return true;
}

// Run system call nr as process ph.  Returns the kernel's errno (0 on
// success), or -1 with a JavaScript exception pending.
int proc_syscall(napi_env, ProcHandle *ph, long nr, const long *a, long *rv) {
  rump_lwproc_switch(ph->l);
  return rump_syscall(nr, a, rv);
}

napi_value errno_result(napi_env env, int error) {
  napi_value r;
  napi_create_int32(env, -error, &r);
  return r;
}

// The result: the value, or the negative errno.
napi_value sys_result(napi_env env, int error, long v, bool is_signed) {
  napi_value r;
  if (error != 0)
    napi_create_int32(env, -error, &r);
  else if (v >= INT32_MIN && v <= INT32_MAX)
    napi_create_int32(env, static_cast<int32_t>(v), &r);
  else if (is_signed)
    napi_create_int64(env, v, &r);
  else
    napi_create_double(env, static_cast<double>(static_cast<unsigned long>(v)), &r);
  return r;
}

#include "gen/addon_sys.inc"

}  // namespace

void register_sys_all(napi_env env, napi_value exports) { register_sys(env, exports); }
