// Network configuration for JavaScript: interfaces, addresses, routes,
// impairments, capture and listings (rump/rump_net.h).
#include "handles.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <rump/rump_net.h>
}

namespace {

struct Args {
  napi_env env;
  size_t argc = 8;
  napi_value argv[8];
  ProcHandle *ph = nullptr;
  Args(napi_env e, napi_callback_info info) : env(e) {
    napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr);
    ph = live_proc(e, argc ? argv[0] : nullptr);
  }
  napi_value arg(size_t i) { return i < argc ? argv[i] : nullptr; }
  bool nullish(size_t i) {
    napi_valuetype t = napi_undefined;
    if (i < argc) napi_typeof(env, argv[i], &t);
    return t == napi_undefined || t == napi_null;
  }
  bool str(size_t i, const char *name, std::string *out) { return get_string_arg(env, arg(i), name, out); }
};

napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

void set_str(napi_env env, napi_value o, const char *k, const char *v) {
  napi_value s;
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, k, s);
}

void set_num(napi_env env, napi_value o, const char *k, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, o, k, n);
}

std::string ip(struct in_addr a) {
  char b[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, b, sizeof(b));
  return b;
}

std::string mac_str(const uint8_t *m) {
  char b[18];
  snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

// A string property of an object (absent: empty and false).
bool prop_str(napi_env env, napi_value o, const char *k, std::string *out, bool *present) {
  bool has = false;
  napi_has_named_property(env, o, k, &has);
  *present = false;
  if (!has) return true;
  napi_value v;
  napi_get_named_property(env, o, k, &v);
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_undefined || t == napi_null) return true;
  *present = true;
  return get_string_arg(env, v, k, out);
}

double prop_num(napi_env env, napi_value o, const char *k, double dflt) {
  bool has = false;
  napi_has_named_property(env, o, k, &has);
  if (!has) return dflt;
  napi_value v;
  napi_get_named_property(env, o, k, &v);
  double d = dflt;
  if (napi_get_value_double(env, v, &d) != napi_ok) return dflt;
  return d;
}

// netAttach(h, { kind: 1|2, bus?, device?, address?, gateway?, mtu?, mac? (6 bytes) }): the name
napi_value js_attach(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (a.ph == nullptr) return nullptr;
  napi_value o = a.arg(1);
  std::string bus, device, address, gateway;
  bool hb, hd, ha, hg;
  if (!prop_str(env, o, "bus", &bus, &hb) || !prop_str(env, o, "device", &device, &hd) ||
      !prop_str(env, o, "address", &address, &ha) || !prop_str(env, o, "gateway", &gateway, &hg))
    return nullptr;
  struct rump_ifcfg cfg = {};
  cfg.kind = static_cast<int>(prop_num(env, o, "kind", 0));
  cfg.bus = hb ? bus.c_str() : nullptr;
  cfg.device = hd ? device.c_str() : nullptr;
  cfg.address = ha ? address.c_str() : nullptr;
  cfg.gateway = hg ? gateway.c_str() : nullptr;
  cfg.mtu = static_cast<unsigned>(prop_num(env, o, "mtu", 0));
  uint8_t mac[6];
  bool hm = false;
  napi_has_named_property(env, o, "mac", &hm);
  if (hm) {
    napi_value v;
    napi_get_named_property(env, o, "mac", &v);
    bool ta = false;
    napi_is_typedarray(env, v, &ta);
    if (ta) {
      void *data;
      size_t len;
      napi_get_typedarray_info(env, v, nullptr, &len, &data, nullptr, nullptr);
      if (len != 6) return throw_type(env, "ERR_INVALID_ARG_VALUE", "mac must be 6 bytes");
      memcpy(mac, data, 6);
      cfg.mac = mac;
    }
  }
  char name[RUMP_IFNAMSIZ] = "";
  int error = rump_net_attach(a.ph->kh->k, &cfg, name, sizeof(name));
  if (error != 0) return throw_errno(env, error, "attach");
  napi_value r;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &r);
  return r;
}

// One string argument after the handle: detach(name)
napi_value js_detach(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::string name;
  if (a.ph == nullptr || !a.str(1, "name", &name)) return nullptr;
  int error = rump_net_detach(a.ph->kh->k, name.c_str());
  if (error != 0) return throw_errno(env, error, "detach");
  return undef(env);
}

// netAddr(h, ifname, addr, add)
napi_value js_addr(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::string name, addr;
  if (a.ph == nullptr || !a.str(1, "name", &name) || !a.str(2, "address", &addr)) return nullptr;
  bool add = true;
  napi_get_value_bool(env, a.arg(3), &add);
  int error = add ? rump_net_addaddr(a.ph->kh->k, name.c_str(), addr.c_str())
                  : rump_net_deladdr(a.ph->kh->k, name.c_str(), addr.c_str());
  if (error != 0) return throw_errno(env, error, add ? "addaddr" : "deladdr");
  return undef(env);
}

// netSetup(h, ifname, up, mtu): mtu 0 leaves it
napi_value js_setup(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::string name;
  if (a.ph == nullptr || !a.str(1, "name", &name)) return nullptr;
  bool up = true;
  double mtu = 0;
  napi_get_value_bool(env, a.arg(2), &up);
  napi_get_value_double(env, a.arg(3), &mtu);
  int error = 0;
  if (mtu > 0) error = rump_net_setmtu(a.ph->kh->k, name.c_str(), static_cast<unsigned>(mtu));
  if (error == 0) error = rump_net_setup(a.ph->kh->k, name.c_str(), up ? 1 : 0);
  if (error != 0) return throw_errno(env, error, "ifconfig");
  return undef(env);
}

// netRoute(h, dst, gateway|null, ifname|null, add)
napi_value js_route(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::string dst, gw, ifn;
  if (a.ph == nullptr || !a.str(1, "destination", &dst)) return nullptr;
  bool hg = !a.nullish(2), hi = !a.nullish(3);
  if ((hg && !a.str(2, "gateway", &gw)) || (hi && !a.str(3, "interface", &ifn))) return nullptr;
  bool add = true;
  napi_get_value_bool(env, a.arg(4), &add);
  int error = add ? rump_net_route_add(a.ph->kh->k, dst.c_str(), hg ? gw.c_str() : nullptr,
                                       hi ? ifn.c_str() : nullptr)
                  : rump_net_route_delete(a.ph->kh->k, dst.c_str());
  if (error != 0) return throw_errno(env, error, "route");
  return undef(env);
}

napi_value js_routes(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (a.ph == nullptr) return nullptr;
  unsigned n = 0;
  std::vector<struct rump_route> v(64);
  int error;
  while ((error = rump_net_routes(a.ph->kh->k, v.data(), static_cast<unsigned>(v.size()), &n)) == 0 &&
         n > v.size())
    v.resize(n);
  if (error != 0) return throw_errno(env, error, "routes");
  napi_value arr;
  napi_create_array_with_length(env, n, &arr);
  for (unsigned i = 0; i < n; i++) {
    napi_value o;
    napi_create_object(env, &o);
    set_str(env, o, "destination", (ip(v[i].dst) + "/" + std::to_string(v[i].prefixlen)).c_str());
    set_str(env, o, "gateway", ip(v[i].gateway).c_str());
    set_str(env, o, "interface", v[i].ifname);
    set_num(env, o, "flags", v[i].flags);
    set_num(env, o, "use", static_cast<double>(v[i].use));
    napi_set_element(env, arr, i, o);
  }
  return arr;
}

// netImpair(h, ifname, { lossPpm, dupPpm, reorderPpm, delayUs, seed })
napi_value js_impair(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::string name;
  if (a.ph == nullptr || !a.str(1, "name", &name)) return nullptr;
  napi_value o = a.arg(2);
  struct rump_impair imp = {};
  imp.loss_ppm = static_cast<uint32_t>(prop_num(env, o, "lossPpm", 0));
  imp.dup_ppm = static_cast<uint32_t>(prop_num(env, o, "dupPpm", 0));
  imp.reorder_ppm = static_cast<uint32_t>(prop_num(env, o, "reorderPpm", 0));
  imp.delay_us = static_cast<uint32_t>(prop_num(env, o, "delayUs", 0));
  imp.seed = static_cast<uint64_t>(prop_num(env, o, "seed", 0));
  int error = rump_net_impair(a.ph->kh->k, name.c_str(), &imp);
  if (error != 0) return throw_errno(env, error, "impair");
  return undef(env);
}

// netCapture(h, ifname, path|null)
napi_value js_capture(napi_env env, napi_callback_info info) {
  Args a(env, info);
  std::string name, path;
  if (a.ph == nullptr || !a.str(1, "name", &name)) return nullptr;
  bool hp = !a.nullish(2);
  if (hp && !a.str(2, "path", &path)) return nullptr;
  int error = rump_net_capture(a.ph->kh->k, name.c_str(), hp ? path.c_str() : nullptr);
  if (error != 0) return throw_errno(env, error, "capture");
  return undef(env);
}

napi_value js_ifconfig(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (a.ph == nullptr) return nullptr;
  unsigned n = 0;
  std::vector<struct rump_ifinfo> v(16);
  int error;
  while ((error = rump_net_ifconfig(a.ph->kh->k, v.data(), static_cast<unsigned>(v.size()), &n)) == 0 &&
         n > v.size())
    v.resize(n);
  if (error != 0) return throw_errno(env, error, "ifconfig");
  napi_value arr;
  napi_create_array_with_length(env, n, &arr);
  for (unsigned i = 0; i < n; i++) {
    const struct rump_ifinfo &f = v[i];
    napi_value o, addrs, st;
    napi_create_object(env, &o);
    set_str(env, o, "name", f.name);
    set_num(env, o, "index", f.index);
    set_num(env, o, "flags", f.flags);
    set_num(env, o, "mtu", f.mtu);
    set_str(env, o, "mac", mac_str(f.mac).c_str());
    napi_create_array_with_length(env, f.naddrs, &addrs);
    for (unsigned j = 0; j < f.naddrs && j < RUMP_IF_MAXADDRS; j++) {
      napi_value ao;
      napi_create_object(env, &ao);
      set_str(env, ao, "address", ip(f.addrs[j].addr).c_str());
      set_num(env, ao, "prefixLength", f.addrs[j].prefixlen);
      set_str(env, ao, "broadcast", ip(f.addrs[j].broadcast).c_str());
      napi_set_element(env, addrs, j, ao);
    }
    napi_set_named_property(env, o, "addresses", addrs);
    napi_create_object(env, &st);
    const std::pair<const char *, uint64_t> counters[] = {
        {"ipackets", f.ipackets}, {"ierrors", f.ierrors}, {"opackets", f.opackets},
        {"oerrors", f.oerrors}, {"ibytes", f.ibytes}, {"obytes", f.obytes},
        {"iqdrops", f.iqdrops}, {"noproto", f.noproto}, {"lost", f.lost},
        {"impairDropped", f.imp_dropped}, {"impairDuplicated", f.imp_duplicated},
        {"impairReordered", f.imp_reordered}, {"impairDelayed", f.imp_delayed},
    };
    for (const auto &c : counters) set_num(env, st, c.first, static_cast<double>(c.second));
    napi_set_named_property(env, o, "counters", st);
    napi_set_element(env, arr, i, o);
  }
  return arr;
}

napi_value js_arp(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (a.ph == nullptr) return nullptr;
  unsigned n = 0;
  std::vector<struct rump_arp_entry> v(64);
  int error;
  while ((error = rump_net_arp_list(a.ph->kh->k, v.data(), static_cast<unsigned>(v.size()), &n)) == 0 &&
         n > v.size())
    v.resize(n);
  if (error != 0) return throw_errno(env, error, "arp");
  napi_value arr;
  napi_create_array_with_length(env, n, &arr);
  static const char *states[] = {"", "incomplete", "reachable", "stale"};
  for (unsigned i = 0; i < n; i++) {
    napi_value o;
    napi_create_object(env, &o);
    set_str(env, o, "interface", v[i].ifname);
    set_str(env, o, "address", ip(v[i].addr).c_str());
    set_str(env, o, "mac", mac_str(v[i].mac).c_str());
    set_str(env, o, "state", v[i].state >= 1 && v[i].state <= 3 ? states[v[i].state] : "unknown");
    napi_set_element(env, arr, i, o);
  }
  return arr;
}

// An address as { address, port } (inet) or a path (unix); undefined: none.
napi_value sockaddr_value(napi_env env, const struct sockaddr_storage &ss, socklen_t len) {
  if (len == 0) return undef(env);
  if (ss.ss_family == AF_INET) {
    const auto *sin = reinterpret_cast<const struct sockaddr_in *>(&ss);
    napi_value o;
    napi_create_object(env, &o);
    set_str(env, o, "address", ip(sin->sin_addr).c_str());
    set_num(env, o, "port", ntohs(sin->sin_port));
    return o;
  }
  if (ss.ss_family == AF_UNIX) {
    const char *p = reinterpret_cast<const char *>(&ss) + 2;
    size_t n = len > 2 ? len - 2 : 0;
    std::string path(p, n);
    if (!path.empty() && path[0] != '\0') path = path.c_str();  // up to its NUL
    napi_value v;
    napi_create_string_utf8(env, path.data(), path.size(), &v);
    return v;
  }
  return undef(env);
}

napi_value js_sockets(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (a.ph == nullptr) return nullptr;
  unsigned n = 0;
  std::vector<struct rump_sockinfo> v(64);
  int error;
  while ((error = rump_net_sockets(a.ph->kh->k, v.data(), static_cast<unsigned>(v.size()), &n)) == 0 &&
         n > v.size())
    v.resize(n);
  if (error != 0) return throw_errno(env, error, "sockets");
  napi_value arr;
  napi_create_array_with_length(env, n, &arr);
  for (unsigned i = 0; i < n; i++) {
    const struct rump_sockinfo &si = v[i];
    napi_value o;
    napi_create_object(env, &o);
    const char *proto = si.family == AF_UNIX ? "unix"
                        : si.type == SOCK_STREAM ? "tcp"
                        : si.type == SOCK_DGRAM && si.protocol == IPPROTO_ICMP ? "icmp"
                        : si.type == SOCK_DGRAM ? "udp"
                        : "raw";
    set_str(env, o, "protocol", proto);
    set_num(env, o, "type", si.type);
    set_str(env, o, "state", si.state);
    napi_set_named_property(env, o, "local", sockaddr_value(env, si.local, si.locallen));
    napi_set_named_property(env, o, "peer", sockaddr_value(env, si.peer, si.peerlen));
    set_num(env, o, "recvQ", static_cast<double>(si.recvq));
    set_num(env, o, "sendQ", static_cast<double>(si.sendq));
    set_num(env, o, "pid", si.pid);
    set_num(env, o, "uid", si.uid);
    napi_set_element(env, arr, i, o);
  }
  return arr;
}

napi_value js_stats(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (a.ph == nullptr) return nullptr;
  unsigned n = 0;
  std::vector<struct rump_netstat> v(256);
  int error;
  while ((error = rump_net_stats(a.ph->kh->k, v.data(), static_cast<unsigned>(v.size()), &n)) == 0 &&
         n > v.size())
    v.resize(n);
  if (error != 0) return throw_errno(env, error, "stats");
  napi_value o;
  napi_create_object(env, &o);
  for (unsigned i = 0; i < n; i++) {
    napi_value group;
    bool has = false;
    napi_has_named_property(env, o, v[i].proto, &has);
    if (has) {
      napi_get_named_property(env, o, v[i].proto, &group);
    } else {
      napi_create_object(env, &group);
      napi_set_named_property(env, o, v[i].proto, group);
    }
    set_num(env, group, v[i].name, static_cast<double>(v[i].value));
  }
  return o;
}

}  // namespace

void register_net(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"netAttach", nullptr, js_attach, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netDetach", nullptr, js_detach, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netAddr", nullptr, js_addr, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netSetup", nullptr, js_setup, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netRoute", nullptr, js_route, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netRoutes", nullptr, js_routes, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netImpair", nullptr, js_impair, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netCapture", nullptr, js_capture, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netIfconfig", nullptr, js_ifconfig, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netArp", nullptr, js_arp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netSockets", nullptr, js_sockets, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"netStats", nullptr, js_stats, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
