// c10d, PyTorch's distributed engine: a TCPStore rendezvous and a process group (Gloo on CPU
// tensors; NCCL on CUDA tensors, compiled in only where the libtorch has it) with the four
// collectives GnnSim's data parallelism needs. Every wait is bounded by the group's timeout.
#include "shim_common.h"

#ifdef GS_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef GS_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <thread>

namespace {

using milliseconds = std::chrono::milliseconds;

// The collectives, whatever the backend's class (libtorch 1.13's ProcessGroup subclasses and 2.x's
// Backend subclasses have the same methods, so one template serves both).
struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  int rank = 0;
  int world_size = 1;
  milliseconds timeout{0};
  virtual ~Group() = default;
  virtual c10::intrusive_ptr<c10d::Work> all_reduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) = 0;
  virtual c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) = 0;
  virtual c10::intrusive_ptr<c10d::Work> all_gather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) = 0;
  virtual c10::intrusive_ptr<c10d::Work> barrier() = 0;
};

template <typename Backend>
struct GroupOf final : Group {
  c10::intrusive_ptr<Backend> backend;
  c10::intrusive_ptr<c10d::Work> all_reduce(std::vector<at::Tensor>& t, const c10d::AllreduceOptions& o) override { return backend->allreduce(t, o); }
  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<at::Tensor>& t, const c10d::BroadcastOptions& o) override { return backend->broadcast(t, o); }
  c10::intrusive_ptr<c10d::Work> all_gather(std::vector<std::vector<at::Tensor>>& out, std::vector<at::Tensor>& in) override {
    return backend->allgather(out, in);
  }
  c10::intrusive_ptr<c10d::Work> barrier() override { return backend->barrier(); }
};

Group& unwrap_group(gs_process_group g) {
  if (g == nullptr) throw std::invalid_argument("null process group handle (the group was destroyed)");
  return *static_cast<Group*>(g);
}

void wait(Group& g, const c10::intrusive_ptr<c10d::Work>& work) { work->wait(g.timeout); }

bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

std::string joined_key(int rank) { return "gnnsim/joined/" + std::to_string(rank); }

// Every rank announces itself, then waits for all the others; a rank that never comes is named.
void rendezvous(c10d::Store& store, int rank, int world_size, milliseconds timeout, const std::string& where) {
  store.set(joined_key(rank), std::vector<uint8_t>{1});
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<int> missing;
    for (int r = 0; r < world_size; ++r)
      if (!store.check({joined_key(r)})) missing.push_back(r);
    if (missing.empty()) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::ostringstream message;
      message << (missing.size() == 1 ? "rank " : "ranks ");
      for (size_t i = 0; i < missing.size(); ++i) message << (i ? ", " : "") << missing[i];
      message << " of " << world_size << " did not join the run at " << where << " within "
              << timeout.count() / 1000.0 << " s (seen from rank " << rank << ")";
      throw std::runtime_error(message.str());
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
}

}  // namespace

using gs::unwrap;
using gs::wrap;

extern "C" {

int gs_dist_has_backend(const char* backend) {
  std::string name = backend ? backend : "";
#ifdef GS_WITH_GLOO
  if (name == "gloo") return 1;
#endif
#ifdef GS_WITH_NCCL
  if (name == "nccl") return 1;
#endif
  return 0;
}

gs_process_group gs_dist_init(const char* backend, const char* master_addr, int master_port, int rank, int world_size, int64_t timeout_ms,
                              int agent_hosts_store, const char* key_prefix) {
  GS_TRY
  std::string name = backend ? backend : "";
  std::string host = master_addr ? master_addr : "";
  std::string prefix = key_prefix ? key_prefix : "";
  if (world_size < 1 || rank < 0 || rank >= world_size)
    throw std::invalid_argument("rank " + std::to_string(rank) + " is not within a world of " + std::to_string(world_size));
  if (master_port < 1 || master_port > 65535) throw std::invalid_argument("master port " + std::to_string(master_port) + " is not a TCP port");
  if (!gs_dist_has_backend(name.c_str()))
    throw std::invalid_argument("this libtorch shim has no '" + name + "' backend (built with: " +
                                std::string(gs_dist_has_backend("gloo") ? "gloo " : "") + (gs_dist_has_backend("nccl") ? "nccl" : "") + ")");
  auto timeout = milliseconds(timeout_ms);
  auto where = host + ":" + std::to_string(master_port);

  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(master_port);
  options.isServer = rank == 0 && !agent_hosts_store;  // under torchrun's agent, every worker is a client
  options.numWorkers = world_size;
  options.waitWorkers = false;  // our own rendezvous below names who is missing
  options.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    store = c10::make_intrusive<c10d::TCPStore>(host, options);
  } catch (const std::exception& e) {
    throw std::runtime_error(options.isServer ? "rank 0 could not open the run's store on " + where + ": " + e.what()
                                       : "rank " + std::to_string(rank) + " could not reach rank 0's store at " + where + ": " + e.what());
  }
  store = c10::make_intrusive<c10d::PrefixStore>(prefix + "gnnsim", store);
  rendezvous(*store, rank, world_size, timeout, where);
  auto prefixed = c10::make_intrusive<c10d::PrefixStore>(name, store);

  std::unique_ptr<Group> group;
#ifdef GS_WITH_GLOO
  if (name == "gloo") {
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
    // Loopback for a single machine; GLOO_SOCKET_IFNAME picks the interface of a multi-machine run, as in PyTorch.
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    if (interface != nullptr && *interface != '\0')
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    else if (is_loopback(host))
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    gloo_options->threads = 2;
    auto g = std::make_unique<GroupOf<c10d::ProcessGroupGloo>>();
    g->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, world_size, gloo_options);
    group = std::move(g);
  }
#endif
#ifdef GS_WITH_NCCL
  if (name == "nccl") {
    auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
    nccl_options->timeout = timeout;
    auto g = std::make_unique<GroupOf<c10d::ProcessGroupNCCL>>();
    g->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, world_size, nccl_options);
    group = std::move(g);
  }
#endif
  group->store = store;
  group->rank = rank;
  group->world_size = world_size;
  group->timeout = timeout;
  return group.release();
  GS_CATCH(nullptr)
}

void gs_dist_destroy(gs_process_group g) { delete static_cast<Group*>(g); }

// op: 0 sum, 1 max, 2 min, 3 product.
int gs_dist_all_reduce(gs_process_group g, gs_tensor t, int op) {
  GS_TRY
  auto& group = unwrap_group(g);
  std::vector<at::Tensor> tensors{unwrap(t)};
  c10d::AllreduceOptions options;
  switch (op) {
    case 0: options.reduceOp = c10d::ReduceOp::SUM; break;
    case 1: options.reduceOp = c10d::ReduceOp::MAX; break;
    case 2: options.reduceOp = c10d::ReduceOp::MIN; break;
    case 3: options.reduceOp = c10d::ReduceOp::PRODUCT; break;
    default: throw std::invalid_argument("unknown reduce op " + std::to_string(op));
  }
  wait(group, group.all_reduce(tensors, options));
  return 0;
  GS_CATCH(-1)
}

int gs_dist_broadcast(gs_process_group g, gs_tensor t, int root) {
  GS_TRY
  auto& group = unwrap_group(g);
  std::vector<at::Tensor> tensors{unwrap(t)};
  c10d::BroadcastOptions options;
  options.rootRank = root;
  wait(group, group.broadcast(tensors, options));
  return 0;
  GS_CATCH(-1)
}

// outputs: world_size tensors shaped like input; output r receives rank r's input.
int gs_dist_all_gather(gs_process_group g, gs_tensor input, gs_tensor* outputs, int n) {
  GS_TRY
  auto& group = unwrap_group(g);
  if (n != group.world_size) throw std::invalid_argument("all_gather needs one output per rank");
  std::vector<at::Tensor> in{unwrap(input)};
  std::vector<std::vector<at::Tensor>> out{gs::unwrap_all(outputs, n)};
  wait(group, group.all_gather(out, in));
  return 0;
  GS_CATCH(-1)
}

int gs_dist_barrier(gs_process_group g) {
  GS_TRY
  auto& group = unwrap_group(g);
  wait(group, group.barrier());
  return 0;
  GS_CATCH(-1)
}

// The store, for the trainer's own bookkeeping (which rank reached which step).
int gs_dist_store_set(gs_process_group g, const char* key, const uint8_t* value, int64_t length) {
  GS_TRY
  auto& group = unwrap_group(g);
  group.store->set(key, std::vector<uint8_t>(value, value + length));
  return 0;
  GS_CATCH(-1)
}

// Writes up to capacity bytes of the key's value; returns its length, or -2 when the key is not set.
int64_t gs_dist_store_get(gs_process_group g, const char* key, uint8_t* value, int64_t capacity) {
  GS_TRY
  auto& group = unwrap_group(g);
  if (!group.store->check({key})) return -2;
  auto bytes = group.store->get(key);
  std::copy_n(bytes.begin(), std::min<int64_t>(capacity, static_cast<int64_t>(bytes.size())), value);
  return static_cast<int64_t>(bytes.size());
  GS_CATCH(-1)
}

}  // extern "C"
