// Shared helpers of the shim's translation units: handle wrapping and the exception barrier.
#pragma once
#include <ATen/ATen.h>
#include <atomic>
#include <string>
#include <vector>

#include "gnnsim_torch.h"

namespace gs {

extern std::atomic<int64_t> live_tensors;

void set_error(const char* message);

// Every tensor that crosses to C# is a fresh heap at::Tensor (a counted reference, cheap).
inline gs_tensor wrap(at::Tensor t) {
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

inline at::Tensor& unwrap(gs_tensor t) {
  if (t == nullptr) throw std::invalid_argument("null tensor handle (the tensor was disposed)");
  return *static_cast<at::Tensor*>(t);
}

inline c10::optional<at::Tensor> unwrap_optional(gs_tensor t) {
  if (t == nullptr) return c10::nullopt;
  return unwrap(t);
}

inline at::IntArrayRef dims_of(const int64_t* values, int n) { return at::IntArrayRef(values, static_cast<size_t>(n)); }

inline at::TensorOptions options_of(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

std::vector<at::Tensor> unwrap_all(const gs_tensor* ts, int n);

}  // namespace gs

// The exception barrier: every entry point's body goes between GS_TRY and GS_CATCH(value on failure).
#define GS_TRY try {
#define GS_CATCH(failure)                                   \
  }                                                         \
  catch (const c10::Error& e) {                             \
    gs::set_error(e.what_without_backtrace());              \
    return failure;                                         \
  }                                                         \
  catch (const std::exception& e) {                         \
    gs::set_error(e.what());                                \
    return failure;                                         \
  }                                                         \
  catch (...) {                                             \
    gs::set_error("unknown C++ exception in the torch shim"); \
    return failure;                                         \
  }
