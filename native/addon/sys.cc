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

// The process a system call names by its slot number, in ctl[0].
ProcHandle *proc_slot(napi_env env, void *data) {
  auto *d = static_cast<AddonData *>(data);
  double s = d->ctl[0];
  ProcHandle *ph;
  if (!(s >= 0 && s < static_cast<double>(d->procs.size())) ||
      static_cast<double>(static_cast<size_t>(s)) != s ||
      (ph = d->procs[static_cast<size_t>(s)]) == nullptr) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected a rumpkit process slot in ctl[0]");
    return nullptr;
  }
  if (__builtin_expect(ph->kh->halted || ph->exited, 0)) {
    if (ph->kh->halted)
      throw_code(env, "ERR_RUMP_KERNEL_HALTED", "The kernel has been halted");
    else
      throw_code(env, "ERR_RUMP_PROCESS_EXITED", "The process has exited");
    return nullptr;
  }
  return ph;
}

// A scalar argument from the control array: an integer that fits a register.
bool ctl_long(double v, long *out) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return false;
  *out = static_cast<long>(v);
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

// Run system call nr as process ph: 0 or the kernel's errno.
int proc_syscall(ProcHandle *ph, long nr, const long *a, long *rv) {
  rump_lwproc_switch(ph->l);
  return rump_syscall(nr, a, rv);
}

// Leave the result in ctl[1]: the value, or the negative errno.
napi_value sys_done(double *ctl, int error, long v, bool is_signed) {
  if (error != 0)
    ctl[1] = -static_cast<double>(error);
  else if (is_signed)
    ctl[1] = static_cast<double>(v);
  else
    ctl[1] = static_cast<double>(static_cast<unsigned long>(v));
  return nullptr;
}

#include "gen/addon_sys.inc"

}  // namespace

void register_sys_all(napi_env env, napi_value exports, AddonData *data) { register_sys(env, exports, data); }
