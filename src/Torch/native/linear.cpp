// Linear layers: y = x W^T + b, with its three matrix products on oneDNN's sgemm for CPU float32.
//
// Why: Debian's libtorch sends every float32 matrix product to OpenBLAS (0.3.21), which runs its
// AVX2 Haswell kernel on this project's AVX-512 AMD machines, on a thread pool of its own beside
// libtorch's OpenMP pool, so the two pools spin against each other unless one of them is kept to a
// single thread. libtorch's own oneDNN (libdnnl.so.2, loaded with it) has AVX-512 kernels and runs
// on the OpenMP pool. On the project's 2-core machine, an [11792 x 128] x [128 x 128] product takes
// 1.9 ms on one thread and 1.0 ms on two, against OpenBLAS's 2.2 ms on two; `gnnsim bench mgn`'s
// training step drops from 864 to 458 ms at 2,000 nodes.
//
// Everything else (CUDA tensors, other dtypes, a libtorch without a loaded oneDNN, or
// GNNSIM_GEMM=libtorch in the environment) goes through at::linear unchanged.
#include <c10/core/GradMode.h>
#include <dlfcn.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cstdlib>
#include <cstring>

#include "shim_common.h"

using gs::unwrap;
using gs::unwrap_optional;
using gs::wrap;

namespace {

// dnnl_sgemm: row-major C = alpha op(A) op(B) + beta C, op is 'N' or 'T'; returns dnnl_success (0).
typedef int (*dnnl_sgemm_fn)(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                             int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

dnnl_sgemm_fn find_onednn_sgemm() {
  const char* choice = std::getenv("GNNSIM_GEMM");
  if (choice != nullptr && std::strcmp(choice, "libtorch") == 0) return nullptr;
  // Only a oneDNN that is already in the process (libtorch's): loading a second copy could bring
  // a second OpenMP runtime with it.
  if (auto found = dlsym(RTLD_DEFAULT, "dnnl_sgemm")) return reinterpret_cast<dnnl_sgemm_fn>(found);
  if (void* library = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_NOLOAD)) {
    if (auto found = dlsym(library, "dnnl_sgemm")) return reinterpret_cast<dnnl_sgemm_fn>(found);
  }
  return nullptr;
}

dnnl_sgemm_fn onednn_sgemm() {
  static const dnnl_sgemm_fn sgemm = find_onednn_sgemm();
  return sgemm;
}

// A 2-d float32 CPU matrix whose rows are contiguous (a narrow of columns is fine: its row stride
// becomes the leading dimension).
bool is_row_major_matrix(const at::Tensor& t) {
  return t.dim() == 2 && t.stride(1) == 1 && t.stride(0) >= t.size(1) && t.stride(0) >= 1;
}

at::Tensor row_major(const at::Tensor& t) { return is_row_major_matrix(t) ? t : t.contiguous(); }

// out (= beta out) + op(a) op(b), all row-major matrices; op(x) is x or x^T.
void sgemm(const at::Tensor& a, bool transpose_a, const at::Tensor& b, bool transpose_b, float beta, at::Tensor& out) {
  const int64_t m = out.size(0), n = out.size(1), k = transpose_a ? a.size(0) : a.size(1);
  const int status = onednn_sgemm()(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, 1.0f, a.data_ptr<float>(),
                                    a.stride(0), b.data_ptr<float>(), b.stride(0), beta, out.data_ptr<float>(), out.stride(0));
  if (status != 0) throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(status));
}

class OneDnnLinear : public torch::autograd::Function<OneDnnLinear> {
 public:
  // input [M, in] (rows contiguous), weight [out, in] (rows contiguous), bias [out]; without a bias
  // the bias argument is an empty placeholder (autograd's bookkeeping needs every tensor defined).
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight,
                            const at::Tensor& bias, bool has_bias) {
    ctx->save_for_backward({input, weight});
    ctx->saved_data["has_bias"] = has_bias;
    auto output = at::empty({input.size(0), weight.size(0)}, input.options());
    if (has_bias) output.copy_(bias.expand_as(output));
    sgemm(input, false, weight, true, has_bias ? 1.0f : 0.0f, output);  // x W^T (+ b)
    return output;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    // The binding never asks for a graph of the backward pass (no create_graph), and these raw
    // products would not record one.
    TORCH_CHECK(!c10::GradMode::is_enabled(), "second derivatives through linear layers are not supported");
    auto saved = ctx->get_saved_variables();
    const auto& input = saved[0];
    const auto& weight = saved[1];
    auto grad = row_major(grads[0]);
    at::Tensor grad_input, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0)) {
      grad_input = at::empty({grad.size(0), weight.size(1)}, grad.options());
      sgemm(grad, false, weight, false, 0.0f, grad_input);  // dL/dx = g W
    }
    if (ctx->needs_input_grad(1)) {
      grad_weight = at::empty({weight.size(0), weight.size(1)}, grad.options());
      sgemm(grad, true, input, false, 0.0f, grad_weight);  // dL/dW = g^T x
    }
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) grad_bias = grad.sum(0);
    return {grad_input, grad_weight, grad_bias, at::Tensor()};
  }
};

bool takes_onednn_path(const at::Tensor& x, const at::Tensor& weight, const c10::optional<at::Tensor>& bias) {
  if (onednn_sgemm() == nullptr || x.dim() < 1 || weight.dim() != 2 || x.numel() == 0 || weight.numel() == 0) return false;
  auto on_cpu_float = [](const at::Tensor& t) { return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.layout() == at::kStrided; };
  if (!on_cpu_float(x) || !on_cpu_float(weight) || x.size(-1) != weight.size(1)) return false;
  if (bias.has_value() && bias->defined() && (!on_cpu_float(*bias) || bias->dim() != 1 || bias->size(0) != weight.size(0)))
    return false;
  return true;
}

}  // namespace

gs_tensor gs_linear(gs_tensor x, gs_tensor weight, gs_tensor bias) {
  GS_TRY
  const auto& input = unwrap(x);
  const auto& w = unwrap(weight);
  auto b = unwrap_optional(bias);
  // Shape errors and other dtypes get libtorch's own checks and messages.
  if (!takes_onednn_path(input, w, b)) return wrap(at::linear(input, w, b));
  auto rows = row_major(input.reshape({-1, input.size(-1)}));
  const bool has_bias = b.has_value() && b->defined();
  auto output = OneDnnLinear::apply(rows, row_major(w), has_bias ? *b : at::empty({0}, w.options()), has_bias);
  if (input.dim() == 2) return wrap(output);
  auto shape = input.sizes().vec();
  shape.back() = w.size(0);
  return wrap(output.view(shape));
  GS_CATCH(nullptr)
}

int gs_linear_uses_onednn(void) { return onednn_sgemm() != nullptr ? 1 : 0; }
