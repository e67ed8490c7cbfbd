// Matrix products on oneDNN's sgemm for CPU float32: linear layers (y = x W^T + b, with both
// gradients), mm, bmm and the matmul cases that are one of those.
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
// GNNSIM_GEMM=libtorch in the environment) goes through at::linear, at::mm, at::bmm or at::matmul
// unchanged, and so do shapes that do not fit, for libtorch's own error messages.
#include <ATen/autocast_mode.h>
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

// An sgemm operand: a row-major matrix, or a transposed view of one (q k^T in attention, and the
// transposes a backward pass takes); any other layout is copied to row-major.
struct Operand {
  at::Tensor rows;
  bool transposed;
};

Operand as_operand(const at::Tensor& t) {
  if (is_row_major_matrix(t)) return {t, false};
  auto flipped = t.t();
  if (is_row_major_matrix(flipped)) return {flipped, true};
  return {t.contiguous(), false};
}

// out = a b for 2-d a [m, k], b [k, n] and a row-major out [m, n].
void product_into(const at::Tensor& a, const at::Tensor& b, at::Tensor out) {
  if (out.numel() == 0) return;
  if (a.size(1) == 0) {
    out.zero_();
    return;
  }
  auto left = as_operand(a), right = as_operand(b);
  sgemm(left.rows, left.transposed, right.rows, right.transposed, 0.0f, out);
}

at::Tensor raw_product(const at::Tensor& a, const at::Tensor& b) {
  auto out = at::empty({a.size(0), b.size(1)}, a.options());
  product_into(a, b, out);
  return out;
}

// out[i] = a[i] b[i] for 3-d a [B, m, k], b [B, k, n]: one sgemm per batch entry.
at::Tensor raw_batched_product(const at::Tensor& a, const at::Tensor& b) {
  auto out = at::empty({a.size(0), a.size(1), b.size(2)}, a.options());
  for (int64_t i = 0; i < a.size(0); ++i) product_into(a[i], b[i], out[i]);
  return out;
}

// The binding never asks for a graph of a backward pass (no create_graph), and the raw products
// below would not record one.
void refuse_second_derivative() {
  TORCH_CHECK(!c10::GradMode::is_enabled(), "second derivatives through oneDNN matrix products are not supported");
}

// C = A B with dL/dA = g B^T, dL/dB = A^T g; Batched: the same for every entry of a bmm.
template <bool Batched>
class OneDnnProduct : public torch::autograd::Function<OneDnnProduct<Batched>> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b) {
    ctx->save_for_backward({a, b});
    return multiply(a, b);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    refuse_second_derivative();
    auto saved = ctx->get_saved_variables();
    const auto& g = grads[0];
    at::Tensor grad_a, grad_b;
    if (ctx->needs_input_grad(0)) grad_a = multiply(g, transposed(saved[1]));
    if (ctx->needs_input_grad(1)) grad_b = multiply(transposed(saved[0]), g);
    return {grad_a, grad_b};
  }

 private:
  static at::Tensor multiply(const at::Tensor& a, const at::Tensor& b) { return Batched ? raw_batched_product(a, b) : raw_product(a, b); }
  static at::Tensor transposed(const at::Tensor& t) { return t.transpose(-2, -1); }
};

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
    refuse_second_derivative();
    auto saved = ctx->get_saved_variables();
    const auto& input = saved[0];
    const auto& weight = saved[1];
    const auto& grad = grads[0];
    at::Tensor grad_input, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0)) grad_input = raw_product(grad, weight);        // dL/dx = g W
    if (ctx->needs_input_grad(1)) grad_weight = raw_product(grad.t(), input);    // dL/dW = g^T x
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) grad_bias = grad.sum(0);
    return {grad_input, grad_weight, grad_bias, at::Tensor()};
  }
};

// Under CPU autocast the products go through ATen, whose autocast runs them in its low precision.
bool on_cpu_float(const at::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.layout() == at::kStrided && !at::autocast::is_cpu_enabled();
}

bool takes_onednn_path(const at::Tensor& x, const at::Tensor& weight, const c10::optional<at::Tensor>& bias) {
  if (onednn_sgemm() == nullptr || x.dim() < 1 || weight.dim() != 2 || x.numel() == 0 || weight.numel() == 0) return false;
  if (!on_cpu_float(x) || !on_cpu_float(weight) || x.size(-1) != weight.size(1)) return false;
  if (bias.has_value() && bias->defined() && (!on_cpu_float(*bias) || bias->dim() != 1 || bias->size(0) != weight.size(0)))
    return false;
  return true;
}

// Both operands float32 on the CPU, of the given rank, with matching inner sizes (and batch sizes).
bool takes_onednn_product(const at::Tensor& a, const at::Tensor& b, int64_t rank) {
  if (onednn_sgemm() == nullptr || a.dim() != rank || b.dim() != rank || !on_cpu_float(a) || !on_cpu_float(b)) return false;
  if (a.size(-1) != b.size(-2)) return false;
  return rank == 2 || a.size(0) == b.size(0);
}

at::Tensor dispatch_mm(const at::Tensor& a, const at::Tensor& b) {
  return takes_onednn_product(a, b, 2) ? OneDnnProduct<false>::apply(a, b) : at::mm(a, b);
}

at::Tensor dispatch_bmm(const at::Tensor& a, const at::Tensor& b) {
  return takes_onednn_product(a, b, 3) ? OneDnnProduct<true>::apply(a, b) : at::bmm(a, b);
}

// matmul's cases that are an mm or a bmm; the rest (vectors, broadcast batches) is at::matmul's.
at::Tensor dispatch_matmul(const at::Tensor& a, const at::Tensor& b) {
  if (a.dim() == 2 && b.dim() == 2) return dispatch_mm(a, b);
  if (a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0)) return dispatch_bmm(a, b);
  if (a.dim() > 2 && b.dim() == 2) {
    auto rows = a.reshape({-1, a.size(-1)});
    if (takes_onednn_product(rows, b, 2)) {
      auto shape = a.sizes().vec();
      shape.back() = b.size(1);
      return dispatch_mm(rows, b).view(shape);
    }
  }
  return at::matmul(a, b);
}

}  // namespace

gs_tensor gs_matmul(int op, gs_tensor a, gs_tensor b) {
  GS_TRY
  switch (op) {
    case 0: return wrap(dispatch_mm(unwrap(a), unwrap(b)));
    case 1: return wrap(dispatch_bmm(unwrap(a), unwrap(b)));
    case 2: return wrap(dispatch_matmul(unwrap(a), unwrap(b)));
    default: throw std::invalid_argument("unknown matmul op " + std::to_string(op));
  }
  GS_CATCH(nullptr)
}

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
