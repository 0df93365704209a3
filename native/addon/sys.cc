// The raw system calls for JavaScript: argument conversion and the switch
// to the calling process's lwp.  The wrappers themselves are generated.
#include "handles.h"

#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

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

// A string argument (a path, a file-system type, mount options): a string or
// the bytes of a Uint8Array, copied NUL-terminated into buf.  Too long gives
// ENAMETOOLONG as the host kernel would; an embedded NUL is refused as Node
// refuses it.
#define PATH_ARG_MAX 4096
struct PathArg {
  char *buf;
  int error = 0;
  explicit PathArg(char *b) : buf(b) {}
};

bool path_arg(napi_env env, napi_value v, bool nullable, PathArg *p, long *out) {
  napi_valuetype t = napi_undefined;
  if (v != nullptr) napi_typeof(env, v, &t);
  size_t len = 0;
  if (t == napi_null || t == napi_undefined) {
    if (!nullable) {
      throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected a string or Uint8Array path");
      return false;
    }
    *out = 0;
    return true;
  }
  if (t == napi_string) {
    napi_get_value_string_utf8(env, v, p->buf, PATH_ARG_MAX + 2, &len);
  } else {
    bool is = false;
    napi_is_typedarray(env, v, &is);
    napi_typedarray_type tt;
    void *data = nullptr;
    if (!is || napi_get_typedarray_info(env, v, &tt, &len, &data, nullptr, nullptr) != napi_ok ||
        tt != napi_uint8_array) {
      throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected a string or Uint8Array path");
      return false;
    }
    if (len > PATH_ARG_MAX + 1) len = PATH_ARG_MAX + 1;
    if (len > 0) std::memcpy(p->buf, data, len);
    p->buf[len] = '\0';
  }
  if (std::memchr(p->buf, '\0', len) != nullptr) {
    throw_type(env, "ERR_INVALID_ARG_VALUE", "Strings must not contain null bytes");
    return false;
  }
  if (len >= PATH_ARG_MAX) p->error = ENAMETOOLONG;
  *out = reinterpret_cast<long>(p->buf);
  return true;
}

// An I/O vector argument: an array of ArrayBufferViews (at most IOV_MAX;
// more reach the kernel as a count it refuses).
struct IovArg {
  std::vector<struct iovec> iov;
  size_t count = 0;
};

bool buf_arg(napi_env env, napi_value v, bool nullable, size_t need, long *out, size_t *cap);

bool iov_arg(napi_env env, napi_value v, IovArg *io, long *out) {
  bool is = false;
  if (v == nullptr || napi_is_array(env, v, &is) != napi_ok || !is) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected an array of ArrayBufferViews");
    return false;
  }
  uint32_t n = 0;
  napi_get_array_length(env, v, &n);
  if (n > 1024) n = 1024;
  io->iov.resize(n > 0 ? n : 1);
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    long p;
    size_t cap;
    napi_get_element(env, v, i, &e);
    if (!buf_arg(env, e, false, 0, &p, &cap)) return false;
    io->iov[i].iov_base = reinterpret_cast<void *>(p);
    io->iov[i].iov_len = cap;
  }
  io->count = n;
  *out = reinterpret_cast<long>(io->iov.data());
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

// A struct msghdr argument: an object { name?, iov, control? } whose views
// the kernel reads or fills in place.
struct MsgArg {
  struct msghdr m;
  IovArg iov;
  MsgArg() { std::memset(&m, 0, sizeof(m)); }
};

bool msg_arg(napi_env env, napi_value v, MsgArg *ma, long *out) {
  napi_valuetype t = napi_undefined;
  if (v != nullptr) napi_typeof(env, v, &t);
  if (t != napi_object) {
    throw_type(env, "ERR_INVALID_ARG_TYPE", "Expected a msghdr object");
    return false;
  }
  napi_value e;
  long p;
  size_t cap;
  napi_get_named_property(env, v, "iov", &e);
  if (!iov_arg(env, e, &ma->iov, &p)) return false;
  ma->m.msg_iov = ma->iov.iov.data();
  ma->m.msg_iovlen = ma->iov.count;
  napi_get_named_property(env, v, "name", &e);
  if (!buf_arg(env, e, true, 0, &p, &cap)) return false;
  ma->m.msg_name = p != 0 ? reinterpret_cast<void *>(p) : nullptr;
  ma->m.msg_namelen = static_cast<socklen_t>(cap);
  napi_get_named_property(env, v, "control", &e);
  if (!buf_arg(env, e, true, 0, &p, &cap)) return false;
  ma->m.msg_control = p != 0 ? reinterpret_cast<void *>(p) : nullptr;
  ma->m.msg_controllen = cap;
  *out = reinterpret_cast<long>(&ma->m);
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
