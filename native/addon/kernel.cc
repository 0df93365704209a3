// Booting and halting kernels, and their processes, for JavaScript.
//
// Every kernel belongs to the environment that booted it.  Its lifetime is
// anchored in the handle of its own process (pid 1): when JavaScript halts
// it, when that handle is collected, or when the environment exits, the
// kernel is halted and everything it allocated is freed.
#include "handles.h"

#include <cerrno>
#include <cstring>

// What marks a process handle's external (checked by unwrap_proc).
const napi_type_tag proc_tag = {0x72756d706b697421ull, 0x70726f6368616e64ull};

namespace {

struct ConsoleMsg {
  uint32_t id;
  std::string line;
};

void console_hook(void *arg, const char *line, size_t len) {
  auto *kh = static_cast<KernelHandle *>(arg);
  napi_threadsafe_function tsfn = kh->console;
  if (tsfn == nullptr) return;
  auto *msg = new ConsoleMsg{kh->id, std::string(line, len)};
  if (napi_call_threadsafe_function(tsfn, msg, napi_tsfn_nonblocking) != napi_ok) delete msg;
}

void console_call(napi_env env, napi_value fn, void *, void *data) {
  auto *msg = static_cast<ConsoleMsg *>(data);
  if (env != nullptr && fn != nullptr) {
    napi_value argv[2], undef;
    napi_create_uint32(env, msg->id, &argv[0]);
    napi_create_string_utf8(env, msg->line.data(), msg->line.size(), &argv[1]);
    napi_get_undefined(env, &undef);
    napi_call_function(env, undef, fn, 2, argv, nullptr);
  }
  delete msg;
}

std::shared_ptr<AddonData> *addon_data(napi_env env) {
  void *d = nullptr;
  napi_get_instance_data(env, &d);
  return static_cast<std::shared_ptr<AddonData> *>(d);
}

void proc_finalize(napi_env, void *data, void *) {
  auto *ph = static_cast<ProcHandle *>(data);
  KernelHandle *kh = ph->kh;
  kh->data->procs[ph->slot] = nullptr;
  kh->data->free_slots.push_back(ph->slot);
  if (ph->main) {
    (void)kernel_halt(kh);  // a leak is reported on the kernel's console
  } else if (!ph->exited && !kh->halted) {
    rump_lwproc_switch(ph->l);
    rump_lwproc_releaselwp();
  }
  delete ph;
  kernel_unref(kh);
}

napi_value wrap_proc(napi_env env, ProcHandle *ph) {
  AddonData *data = ph->kh->data.get();
  if (data->free_slots.empty()) {
    ph->slot = static_cast<uint32_t>(data->procs.size());
    data->procs.push_back(ph);
  } else {
    ph->slot = data->free_slots.back();
    data->free_slots.pop_back();
    data->procs[ph->slot] = ph;
  }
  napi_value ext;
  if (napi_create_external(env, ph, proc_finalize, nullptr, &ext) != napi_ok) {
    proc_finalize(env, ph, nullptr);
    return nullptr;
  }
  napi_type_tag_object(env, ext, &proc_tag);
  return ext;
}

// Options: { memlimit, maxfiles, maxfilesHard, hostname, console }
bool get_uint_opt(napi_env env, napi_value opts, const char *name, uint64_t *out) {
  bool has = false;
  napi_has_named_property(env, opts, name, &has);
  if (!has) return true;
  napi_value v;
  napi_valuetype t;
  napi_get_named_property(env, opts, name, &v);
  napi_typeof(env, v, &t);
  if (t == napi_undefined) return true;
  double d;
  if (t != napi_number || napi_get_value_double(env, v, &d) != napi_ok || d < 0 ||
      d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d))) {
    std::string msg = std::string("The \"") + name + "\" option must be a non-negative integer";
    throw_type(env, "ERR_INVALID_ARG_VALUE", msg.c_str());
    return false;
  }
  *out = static_cast<uint64_t>(d);
  return true;
}

napi_value js_boot(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value opts;
  napi_get_cb_info(env, info, &argc, &opts, nullptr, nullptr);
  struct rump_config cfg;
  std::memset(&cfg, 0, sizeof(cfg));
  std::string hostname;
  bool want_console = false;
  if (argc >= 1) {
    napi_valuetype t;
    napi_typeof(env, opts, &t);
    if (t == napi_object) {
      uint64_t v = 0;
      if (!get_uint_opt(env, opts, "memlimit", &cfg.memlimit)) return nullptr;
      v = 0;
      if (!get_uint_opt(env, opts, "maxfiles", &v)) return nullptr;
      cfg.maxfiles = static_cast<unsigned>(v > 1048576 ? 1048576 : v);
      v = 0;
      if (!get_uint_opt(env, opts, "maxfilesHard", &v)) return nullptr;
      cfg.maxfiles_hard = static_cast<unsigned>(v > 1048576 ? 1048576 : v);
      napi_value hv, cv;
      napi_valuetype ht, ct;
      napi_get_named_property(env, opts, "hostname", &hv);
      napi_typeof(env, hv, &ht);
      if (ht == napi_string) {
        char buf[128];
        size_t n = 0;
        napi_get_value_string_utf8(env, hv, buf, sizeof(buf), &n);
        hostname.assign(buf, n);
        cfg.hostname = hostname.c_str();
      }
      napi_get_named_property(env, opts, "console", &cv);
      napi_typeof(env, cv, &ct);
      if (ct == napi_boolean) napi_get_value_bool(env, cv, &want_console);
    }
  }
  auto &data = *addon_data(env);
  auto *kh = new KernelHandle();
  kh->data = data;
  kh->id = data->next_id++;
  if (want_console && data->console != nullptr) {
    kh->console = data->console;
    cfg.console = console_hook;
    cfg.console_arg = kh;
  }
  kh->k = rump_kernel_boot(&cfg);
  if (kh->k == nullptr) {
    int error = errno;
    delete kh;
    return throw_errno(env, error, "boot");
  }
  // The JavaScript thread acts in pid 1 through an lwp of its own, which
  // never sleeps: the event loop must not block.
  int error = rump_kernel_enter(kh->k);
  if (error == 0) error = rump_lwproc_newlwp(1);
  if (error != 0) {
    rump_kernel_halt(kh->k);
    delete kh;
    return throw_errno(env, error, "boot");
  }
  rump_lwproc_nosleep(1);
  auto *ph = new ProcHandle();
  ph->kh = kh;
  ph->l = rump_lwproc_curlwp();
  ph->main = true;
  kh->refs = 1;
  data->kernels.insert(kh);
  return wrap_proc(env, ph);
}

}  // namespace

void *unwrap_tagged(napi_env env, napi_value v, const napi_type_tag *tag, const char *what) {
  bool ok = false;
  napi_valuetype t = napi_undefined;
  if (v != nullptr) napi_typeof(env, v, &t);
  if (t == napi_external) napi_check_object_type_tag(env, v, tag, &ok);
  if (!ok) {
    std::string msg = std::string("Expected a rumpkit ") + what;
    throw_type(env, "ERR_INVALID_ARG_TYPE", msg.c_str());
    return nullptr;
  }
  void *p = nullptr;
  napi_get_value_external(env, v, &p);
  return p;
}

ProcHandle *unwrap_proc(napi_env env, napi_value v) {
  return static_cast<ProcHandle *>(unwrap_tagged(env, v, &proc_tag, "process handle"));
}

// A usable process: its kernel is up and it has not exited.
ProcHandle *live_proc(napi_env env, napi_value v) {
  ProcHandle *ph = unwrap_proc(env, v);
  if (ph == nullptr) return nullptr;
  if (ph->kh->halted) {
    throw_code(env, "ERR_RUMP_KERNEL_HALTED", "The kernel has been halted");
    return nullptr;
  }
  if (ph->exited) {
    throw_code(env, "ERR_RUMP_PROCESS_EXITED", "The process has exited");
    return nullptr;
  }
  return ph;
}

// The process handle that is a function's first argument (live: usable).
ProcHandle *handle_arg(napi_env env, napi_callback_info info, bool live) {
  size_t argc = 1;
  napi_value h = nullptr;
  napi_get_cb_info(env, info, &argc, &h, nullptr, nullptr);
  return live ? live_proc(env, argc ? h : nullptr) : unwrap_proc(env, argc ? h : nullptr);
}

// Halt kh's kernel: 0, or EBUSY when the kernel leaked (logged on its console).
int kernel_halt(KernelHandle *kh) {
  if (kh->halted) return 0;
  close_servers(kh->data.get(), kh);
  close_pollers(kh->data.get(), kh);
  kh->halted = true;
  kh->data->kernels.erase(kh);
  int error = rump_kernel_halt(kh->k);
  kh->k = nullptr;
  return error;
}

void kernel_unref(KernelHandle *kh) {
  if (--kh->refs == 0) delete kh;
}

void halt_all_kernels(AddonData *data) {
  std::vector<KernelHandle *> all(data->kernels.begin(), data->kernels.end());
  for (KernelHandle *kh : all) kernel_halt(kh);
}

// A string argument without NUL bytes, or a TypeError naming it.
bool get_string_arg(napi_env env, napi_value v, const char *name, std::string *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_string) {
    std::string msg = std::string("The \"") + name + "\" argument must be of type string";
    throw_type(env, "ERR_INVALID_ARG_TYPE", msg.c_str());
    return false;
  }
  size_t n = 0;
  napi_get_value_string_utf8(env, v, nullptr, 0, &n);
  out->resize(n);
  napi_get_value_string_utf8(env, v, &(*out)[0], n + 1, &n);
  if (out->find('\0') != std::string::npos) {
    std::string msg = std::string("The \"") + name + "\" argument must not contain null bytes";
    throw_type(env, "ERR_INVALID_ARG_VALUE", msg.c_str());
    return false;
  }
  return true;
}

namespace {

napi_value js_halt(napi_env env, napi_callback_info info) {
  ProcHandle *ph = handle_arg(env, info, false);
  if (ph == nullptr) return nullptr;
  napi_value r;
  if (ph->kh->halted) {
    napi_get_boolean(env, false, &r);
    return r;
  }
  int error = kernel_halt(ph->kh);
  if (error != 0) return throw_errno(env, error, "halt");
  napi_get_boolean(env, true, &r);
  return r;
}

// rfork(handle, flags): a child process of handle's, with its own lwp.
napi_value js_rfork(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  ProcHandle *parent = live_proc(env, argc ? argv[0] : nullptr);
  if (parent == nullptr) return nullptr;
  int32_t flags = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[1], &flags) != napi_ok)
    return throw_type(env, "ERR_INVALID_ARG_TYPE", "flags must be a number");
  rump_lwproc_switch(parent->l);
  int error = rump_lwproc_rfork(flags);
  if (error != 0) return throw_errno(env, error, "rfork");
  rump_lwproc_nosleep(1);
  auto *ph = new ProcHandle();
  ph->kh = parent->kh;
  ph->l = rump_lwproc_curlwp();
  ph->kh->refs++;
  return wrap_proc(env, ph);
}

// exit(handle): the process ends (its lwp for this thread is its only one).
napi_value js_exit(napi_env env, napi_callback_info info) {
  ProcHandle *ph = handle_arg(env, info, false);
  if (ph == nullptr) return nullptr;
  if (ph->main) return throw_code(env, "ERR_INVALID_STATE", "pid 1 exits only when its kernel halts");
  if (!ph->exited && !ph->kh->halted) {
    rump_lwproc_switch(ph->l);
    rump_lwproc_releaselwp();
  }
  ph->exited = true;
  return nullptr;
}

napi_value js_state(napi_env env, napi_callback_info info) {
  ProcHandle *ph = handle_arg(env, info, false);
  if (ph == nullptr) return nullptr;
  const char *s = ph->kh->halted ? "halted" : ph->exited ? "exited" : "running";
  napi_value r;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &r);
  return r;
}

napi_value js_stats(napi_env env, napi_callback_info info) {
  ProcHandle *ph = handle_arg(env, info, true);
  if (ph == nullptr) return nullptr;
  struct rump_kernel_stats st;
  rump_kernel_stats(ph->kh->k, &st);
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_double(env, static_cast<double>(st.memused), &v);
  napi_set_named_property(env, o, "memused", v);
  napi_create_double(env, static_cast<double>(st.memlimit), &v);
  napi_set_named_property(env, o, "memlimit", v);
  napi_create_double(env, static_cast<double>(st.memallocs), &v);
  napi_set_named_property(env, o, "memallocs", v);
  napi_create_uint32(env, st.nprocs, &v);
  napi_set_named_property(env, o, "nprocs", v);
  napi_create_uint32(env, st.nlwps, &v);
  napi_set_named_property(env, o, "nlwps", v);
  napi_create_uint32(env, ph->kh->id, &v);
  napi_set_named_property(env, o, "id", v);
  napi_create_uint32(env, st.bufs, &v);
  napi_set_named_property(env, o, "bufs", v);
  napi_create_uint32(env, st.dirtybufs, &v);
  napi_set_named_property(env, o, "dirtybufs", v);
  napi_create_double(env, static_cast<double>(st.bufbytes), &v);
  napi_set_named_property(env, o, "bufbytes", v);
  napi_create_double(env, static_cast<double>(st.bufhits), &v);
  napi_set_named_property(env, o, "bufhits", v);
  napi_create_double(env, static_cast<double>(st.bufmisses), &v);
  napi_set_named_property(env, o, "bufmisses", v);
  napi_get_boolean(env, st.flusher != 0, &v);
  napi_set_named_property(env, o, "flusher", v);
  return o;
}

// diskAttach(handle, key, hostPath, readOnly, offset, size): size < 0 is the
// whole file (offset ignored).
napi_value js_disk_attach(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 6) return throw_type(env, "ERR_INVALID_ARG_TYPE", "diskAttach takes 6 arguments");
  ProcHandle *ph = live_proc(env, argv[0]);
  if (ph == nullptr) return nullptr;
  std::string key, path;
  if (!get_string_arg(env, argv[1], "key", &key) || !get_string_arg(env, argv[2], "path", &path))
    return nullptr;
  bool ro = false;
  double off = 0, size = -1;
  napi_get_value_bool(env, argv[3], &ro);
  napi_get_value_double(env, argv[4], &off);
  napi_get_value_double(env, argv[5], &size);
  int flags = ro ? RUMP_DISK_RDONLY : 0;
  int error = size < 0 ? rump_disk_attach(ph->kh->k, key.c_str(), path.c_str(), flags)
                       : rump_disk_attach_range(ph->kh->k, key.c_str(), path.c_str(), flags,
                                                static_cast<uint64_t>(off), static_cast<uint64_t>(size));
  if (error != 0) return throw_errno(env, error, "diskAttach");
  return nullptr;
}

// diskDetach(handle, key): EBUSY while mounted or open.
napi_value js_disk_detach(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return throw_type(env, "ERR_INVALID_ARG_TYPE", "diskDetach takes 2 arguments");
  ProcHandle *ph = live_proc(env, argv[0]);
  if (ph == nullptr) return nullptr;
  std::string key;
  if (!get_string_arg(env, argv[1], "key", &key)) return nullptr;
  int error = rump_disk_detach(ph->kh->k, key.c_str());
  if (error != 0) return throw_errno(env, error, "diskDetach");
  return nullptr;
}

// etfsRegister(handle, key, hostPath, type): type 0 a file, 1 a block device.
napi_value js_etfs_register(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 4) return throw_type(env, "ERR_INVALID_ARG_TYPE", "etfsRegister takes 4 arguments");
  ProcHandle *ph = live_proc(env, argv[0]);
  if (ph == nullptr) return nullptr;
  std::string key, path;
  if (!get_string_arg(env, argv[1], "key", &key) || !get_string_arg(env, argv[2], "path", &path))
    return nullptr;
  int32_t type = 0;
  napi_get_value_int32(env, argv[3], &type);
  int error = rump_etfs_register(ph->kh->k, key.c_str(), path.c_str(), type);
  if (error != 0) return throw_errno(env, error, "etfsRegister");
  return nullptr;
}

// slot(handle): the number system calls name this process by.
napi_value js_slot(napi_env env, napi_callback_info info) {
  ProcHandle *ph = handle_arg(env, info, false);
  if (ph == nullptr) return nullptr;
  napi_value r;
  napi_create_uint32(env, ph->slot, &r);
  return r;
}

// kernelId(handle): the kernel's number, as its console lines show it.
napi_value js_kernel_id(napi_env env, napi_callback_info info) {
  ProcHandle *ph = handle_arg(env, info, false);
  if (ph == nullptr) return nullptr;
  napi_value r;
  napi_create_uint32(env, ph->kh->id, &r);
  return r;
}

napi_value js_live_kernels(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_uint32(env, static_cast<uint32_t>((*addon_data(env))->kernels.size()), &r);
  return r;
}

// setConsole(fn): kernels booted with { console: true } send their lines to fn(id, line).
napi_value js_set_console(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value fn;
  napi_get_cb_info(env, info, &argc, &fn, nullptr, nullptr);
  napi_valuetype t = napi_undefined;
  if (argc) napi_typeof(env, fn, &t);
  if (t != napi_function) return throw_type(env, "ERR_INVALID_ARG_TYPE", "The console sink must be a function");
  auto &data = *addon_data(env);
  if (data->console != nullptr) return nullptr;  // set once per environment
  napi_value name;
  napi_create_string_utf8(env, "rumpkit:kern", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, fn, nullptr, name, 0, 1, nullptr, nullptr, nullptr,
                                      console_call, &data->console) != napi_ok)
    return throw_code(env, "ERR_RUMP_CONSOLE", "cannot create the console sink");
  napi_unref_threadsafe_function(env, data->console);
  return nullptr;
}

}  // namespace

void register_kernel(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"boot", nullptr, js_boot, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"halt", nullptr, js_halt, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rfork", nullptr, js_rfork, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"exit", nullptr, js_exit, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"state", nullptr, js_state, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stats", nullptr, js_stats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slot", nullptr, js_slot, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"kernelId", nullptr, js_kernel_id, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"liveKernels", nullptr, js_live_kernels, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"diskAttach", nullptr, js_disk_attach, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"diskDetach", nullptr, js_disk_detach, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"etfsRegister", nullptr, js_etfs_register, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setConsole", nullptr, js_set_console, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
