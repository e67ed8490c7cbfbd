// Errors, handle lifetime, threads, memory policy, seeds and grad mode.
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <dlfcn.h>
#include <malloc.h>
#include <torch/cuda.h>

#include <climits>
#include <mutex>

#include "shim_common.h"

namespace {

// libtorch 1.13 warns, once per process, that scatter_reduce() is in beta. GnnSim's segment softmax
// uses it knowingly (the amax per segment), so that one warning is dropped; every other passes on.
class QuietBetaWarnings final : public c10::WarningHandler {
 public:
  void process(const c10::SourceLocation& where, const std::string& message, const bool verbatim) override {
    if (message.rfind("scatter_reduce() is in beta", 0) == 0) return;
    c10::WarningHandler::process(where, message, verbatim);
  }
};

QuietBetaWarnings quiet_beta_warnings;
const bool quiet_beta_installed = (c10::Warning::set_warning_handler(&quiet_beta_warnings), true);

}  // namespace

namespace gs {

std::atomic<int64_t> live_tensors{0};
thread_local std::string last_error;

void set_error(const char* message) { last_error = message ? message : ""; }

std::vector<at::Tensor> unwrap_all(const gs_tensor* ts, int n) {
  std::vector<at::Tensor> result;
  result.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) result.push_back(unwrap(ts[i]));
  return result;
}

}  // namespace gs

using gs::unwrap;
using gs::wrap;

extern "C" {

const char* gs_last_error(void) { return gs::last_error.c_str(); }

int64_t gs_live_tensors(void) { return gs::live_tensors.load(std::memory_order_relaxed); }

void gs_free(gs_tensor t) {
  if (t == nullptr) return;
  delete static_cast<at::Tensor*>(t);
  gs::live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int gs_cuda_is_available(void) {
  GS_TRY
  return torch::cuda::is_available() ? 1 : 0;
  GS_CATCH(0)
}

int gs_cuda_device_count(void) {
  GS_TRY
  return static_cast<int>(torch::cuda::device_count());
  GS_CATCH(0)
}

// Waits for the GPU's queued work (timing); a no-op where no GPU is visible.
int gs_cuda_synchronize(void) {
  GS_TRY
  if (torch::cuda::is_available()) torch::cuda::synchronize();
  return 0;
  GS_CATCH(-1)
}

void gs_set_num_threads(int n) {
  try {
    at::set_num_threads(n);
  } catch (...) {
  }
}

int gs_get_num_threads(void) { return at::get_num_threads(); }

// OpenBLAS keeps its own thread pool, separate from libtorch's intra-op threads. It is found at run
// time because libtorch reaches it through Debian's libblas.so.3 alternative, not by name.
typedef void (*openblas_set_fn)(int);
typedef int (*openblas_get_fn)(void);

int gs_set_blas_threads(int n) {
  auto set = reinterpret_cast<openblas_set_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set == nullptr) return 0;
  set(n);
  return 1;
}

int gs_get_blas_threads(void) {
  auto get = reinterpret_cast<openblas_get_fn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get == nullptr ? -1 : get();
}

// Big activation buffers are freed and re-allocated every training step; by default glibc hands
// them back to the OS (munmap) and the next step page-faults them in again. Keeping them in the
// heap made a 20k-node MeshGraphNet step 4.7x faster (ARCHITECTURE.md).
void gs_keep_freed_memory(void) {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

void gs_manual_seed(uint64_t seed) { at::manual_seed(seed); }

gs_tensor gs_get_rng_state(void) {
  GS_TRY
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return wrap(generator.get_state());
  GS_CATCH(nullptr)
}

int gs_set_rng_state(gs_tensor state) {
  GS_TRY
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(unwrap(state));
  return 0;
  GS_CATCH(-1)
}

int gs_set_grad_enabled(int enabled) {
  bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return previous ? 1 : 0;
}

int gs_is_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

// Automatic mixed precision for one device type (this thread): on, the ops of autocast's lists run in
// dtype (bfloat16 or float16). Returns whether it was on before; turning it off drops autocast's cache.
int gs_set_autocast(int device_type, int enabled, int dtype) {
  GS_TRY
  bool previous;
  auto low = static_cast<at::ScalarType>(dtype);
  if (device_type == static_cast<int>(at::kCUDA)) {
    previous = at::autocast::is_enabled();
    at::autocast::set_autocast_gpu_dtype(low);
    at::autocast::set_enabled(enabled != 0);
  } else {
    previous = at::autocast::is_cpu_enabled();
    at::autocast::set_autocast_cpu_dtype(low);
    at::autocast::set_cpu_enabled(enabled != 0);
  }
  if (!enabled) at::autocast::clear_cache();
  return previous ? 1 : 0;
  GS_CATCH(-1)
}

}  // extern "C"
