// Host calls the command-line tools need and Node lacks: mknod(2), to make
// device nodes, FIFOs and sockets on the host when copying them out of an
// image.  This is the host's own system call, not the kernel's: errors are
// shaped like node:fs's (code, errno, syscall, path, and a message
// "CODE: description, mknod 'path'" with the C library's description).
#include "handles.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

namespace {

napi_value throw_host(napi_env env, int error, const char *syscall, const std::string &path) {
  const char *name = strerrorname_np(error);
  std::string code = name != nullptr ? name : "E" + std::to_string(error);
  std::string what = std::strerror(error);
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  std::string msg = code + ": " + what + ", " + syscall + " '" + path + "'";
  napi_value m, e, v;
  napi_create_string_utf8(env, msg.c_str(), NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, nullptr, m, &e);
  napi_create_int32(env, -error, &v);
  napi_set_named_property(env, e, "errno", v);
  napi_create_string_utf8(env, code.c_str(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, e, "code", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, e, "syscall", v);
  napi_create_string_utf8(env, path.c_str(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, e, "path", v);
  napi_throw(env, e);
  return nullptr;
}

// hostMknod(path, mode, dev): mode with its S_IF* type, dev a device number
// as the host's stat gives it (st_rdev).
napi_value js_host_mknod(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 3) return throw_type(env, "ERR_INVALID_ARG_TYPE", "hostMknod takes 3 arguments");
  std::string path;
  if (!get_string_arg(env, argv[0], "path", &path)) return nullptr;
  double mode = -1, dev = -1;
  if (napi_get_value_double(env, argv[1], &mode) != napi_ok || napi_get_value_double(env, argv[2], &dev) != napi_ok ||
      !(mode >= 0 && mode <= 0xffffffff && std::floor(mode) == mode) ||
      !(dev >= 0 && dev <= 9007199254740991.0 && std::floor(dev) == dev))
    return throw_type(env, "ERR_INVALID_ARG_TYPE", "hostMknod: mode and dev must be whole numbers");
  if (mknod(path.c_str(), static_cast<mode_t>(mode), static_cast<dev_t>(dev)) != 0)
    return throw_host(env, errno, "mknod", path);
  return nullptr;
}

}  // namespace

void register_host(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"hostMknod", nullptr, js_host_mknod, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
