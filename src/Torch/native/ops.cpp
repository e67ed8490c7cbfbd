// Math: elementwise, reductions, linear algebra, nn functions and the graph primitives.
#include <ATen/ScalarOps.h>
#include <ATen/autocast_mode.h>

#include "shim_common.h"

using gs::dims_of;
using gs::unwrap;
using gs::unwrap_optional;
using gs::wrap;

namespace {

// Op codes are shared with src/Torch/Native.cs (UnaryOp, BinaryOp, ReduceOp).
at::Tensor unary(int op, const at::Tensor& t) {
  switch (op) {
    case 0: return at::neg(t);
    case 1: return at::abs(t);
    case 2: return at::sqrt(t);
    case 3: return at::rsqrt(t);
    case 4: return at::exp(t);
    case 5: return at::log(t);
    case 6: return at::sin(t);
    case 7: return at::cos(t);
    case 8: return at::tanh(t);
    case 9: return at::sigmoid(t);
    case 10: return at::relu(t);
    case 11: return at::gelu(t);
    case 12: return at::silu(t);
    case 13: return at::selu(t);
    case 14: return at::square(t);
    case 15: return at::sign(t);
    case 16: return at::floor(t);
    case 17: return at::ceil(t);
    case 18: return at::round(t);
    case 19: return at::logical_not(t);
    case 20: return at::log1p(t);
    case 21: return at::expm1(t);
    case 22: return at::reciprocal(t);
    case 23: return at::gelu(t, "tanh");
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
}

at::Tensor binary(int op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::maximum(a, b);
    case 6: return at::minimum(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ne(a, b);
    case 9: return at::lt(a, b);
    case 10: return at::le(a, b);
    case 11: return at::gt(a, b);
    case 12: return at::ge(a, b);
    case 13: return at::logical_and(a, b);
    case 14: return at::logical_or(a, b);
    case 15: return at::remainder(a, b);
    case 16: return at::atan2(a, b);
    case 17: return at::floor_divide(a, b);
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
}

std::vector<int64_t> reduction_dims(const at::Tensor& t, const int64_t* dims, int ndim) {
  if (ndim > 0) return std::vector<int64_t>(dims, dims + ndim);
  std::vector<int64_t> all(static_cast<size_t>(t.dim()));
  for (int64_t i = 0; i < t.dim(); ++i) all[static_cast<size_t>(i)] = i;
  return all;
}

c10::string_view reduce_name(int reduce) {
  switch (reduce) {
    case 0: return "sum";
    case 1: return "mean";
    case 2: return "amax";
    case 3: return "amin";
    case 4: return "prod";
    default: throw std::invalid_argument("unknown scatter reduction " + std::to_string(reduce));
  }
}

}  // namespace

extern "C" {

// ---- elementwise ----

gs_tensor gs_unary(int op, gs_tensor t) {
  GS_TRY
  return wrap(unary(op, unwrap(t)));
  GS_CATCH(nullptr)
}

gs_tensor gs_binary(int op, gs_tensor a, gs_tensor b) {
  GS_TRY
  return wrap(binary(op, unwrap(a), unwrap(b)));
  GS_CATCH(nullptr)
}

gs_tensor gs_binary_scalar(int op, gs_tensor a, double value, int is_integer, int reverse) {
  GS_TRY
  // A wrapped number takes part in type promotion like a Python scalar: float32 * 2.0 stays float32.
  at::Scalar scalar = is_integer ? at::Scalar(static_cast<int64_t>(value)) : at::Scalar(value);
  at::Tensor s = at::native::wrapped_scalar_tensor(scalar);
  const auto& t = unwrap(a);
  return wrap(reverse ? binary(op, s, t) : binary(op, t, s));
  GS_CATCH(nullptr)
}

gs_tensor gs_clamp(gs_tensor t, double min, double max, int has_min, int has_max) {
  GS_TRY
  c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
  c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
  return wrap(at::clamp(unwrap(t), lo, hi));
  GS_CATCH(nullptr)
}

gs_tensor gs_where(gs_tensor cond, gs_tensor a, gs_tensor b) {
  GS_TRY
  return wrap(at::where(unwrap(cond), unwrap(a), unwrap(b)));
  GS_CATCH(nullptr)
}

gs_tensor gs_masked_fill(gs_tensor t, gs_tensor mask, double value) {
  GS_TRY
  return wrap(unwrap(t).masked_fill(unwrap(mask), value));
  GS_CATCH(nullptr)
}

gs_tensor gs_nonzero(gs_tensor t) {
  GS_TRY
  return wrap(at::nonzero(unwrap(t)));
  GS_CATCH(nullptr)
}

gs_tensor gs_leaky_relu(gs_tensor t, double slope) {
  GS_TRY
  return wrap(at::leaky_relu(unwrap(t), slope));
  GS_CATCH(nullptr)
}

gs_tensor gs_elu(gs_tensor t, double alpha) {
  GS_TRY
  return wrap(at::elu(unwrap(t), alpha));
  GS_CATCH(nullptr)
}

// ---- reductions ----

gs_tensor gs_reduce(int op, gs_tensor handle, const int64_t* dims_in, int ndim, int keepdim, double param) {
  GS_TRY
  const auto& t = unwrap(handle);
  auto dims = reduction_dims(t, dims_in, ndim);
  bool keep = keepdim != 0;
  switch (op) {
    case 0: return wrap(at::sum(t, dims, keep));
    case 1: return wrap(at::mean(t, dims, keep));
    case 2: return wrap(at::amax(t, dims, keep));
    case 3: return wrap(at::amin(t, dims, keep));
    case 4: return wrap(at::var(t, at::OptionalIntArrayRef(dims), static_cast<int64_t>(param), keep));
    case 5: return wrap(at::std(t, at::OptionalIntArrayRef(dims), static_cast<int64_t>(param), keep));
    case 6: return wrap(at::norm(t, at::Scalar(param), dims, keep));
    case 7: return wrap(at::logsumexp(t, dims, keep));
    case 8:
      if (dims.size() != 1) throw std::invalid_argument("prod reduces over exactly one dimension");
      return wrap(at::prod(t, dims[0], keep));
    default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
  }
  GS_CATCH(nullptr)
}

gs_tensor gs_minmax_dim(int op, gs_tensor t, int64_t dim, int keepdim, gs_tensor* indices) {
  GS_TRY
  auto result = op == 0 ? at::max(unwrap(t), dim, keepdim != 0) : at::min(unwrap(t), dim, keepdim != 0);
  if (indices != nullptr) *indices = wrap(std::get<1>(result));
  return wrap(std::get<0>(result));
  GS_CATCH(nullptr)
}

gs_tensor gs_argminmax(int op, gs_tensor t, int64_t dim, int has_dim, int keepdim) {
  GS_TRY
  c10::optional<int64_t> d = has_dim ? c10::optional<int64_t>(dim) : c10::nullopt;
  return wrap(op == 0 ? at::argmax(unwrap(t), d, keepdim != 0) : at::argmin(unwrap(t), d, keepdim != 0));
  GS_CATCH(nullptr)
}

// ---- linear algebra and nn functions ----

// gs_matmul and gs_linear are in onednn.cpp.

gs_tensor gs_softmax(gs_tensor t, int64_t dim, int log) {
  GS_TRY
  return wrap(log ? at::log_softmax(unwrap(t), dim) : at::softmax(unwrap(t), dim));
  GS_CATCH(nullptr)
}

gs_tensor gs_layer_norm(gs_tensor x, const int64_t* shape, int ndim, gs_tensor weight, gs_tensor bias, double eps) {
  GS_TRY
  auto input = unwrap(x);
  auto w = unwrap_optional(weight);
  // CPU autocast (libtorch 1.13) leaves layer_norm to the input's dtype, and its CPU kernel refuses a
  // bfloat16 input with float32 weights: normalize in float32, as CUDA autocast's policy does.
  if (at::autocast::is_cpu_enabled() && w && input.scalar_type() != w->scalar_type()) input = input.to(w->scalar_type());
  return wrap(at::layer_norm(input, dims_of(shape, ndim), w, unwrap_optional(bias), eps));
  GS_CATCH(nullptr)
}

gs_tensor gs_dropout(gs_tensor t, double p, int train) {
  GS_TRY
  return wrap(at::dropout(unwrap(t), p, train != 0));
  GS_CATCH(nullptr)
}

gs_tensor gs_embedding(gs_tensor weight, gs_tensor indices) {
  GS_TRY
  return wrap(at::embedding(unwrap(weight), unwrap(indices)));
  GS_CATCH(nullptr)
}

gs_tensor gs_loss(int op, gs_tensor input, gs_tensor target, int reduction) {
  GS_TRY
  switch (op) {
    case 0: return wrap(at::mse_loss(unwrap(input), unwrap(target), reduction));
    case 1: return wrap(at::l1_loss(unwrap(input), unwrap(target), reduction));
    default: throw std::invalid_argument("unknown loss " + std::to_string(op));
  }
  GS_CATCH(nullptr)
}

// ---- graph primitives ----

gs_tensor gs_index_select(gs_tensor t, int64_t dim, gs_tensor index) {
  GS_TRY
  return wrap(at::index_select(unwrap(t), dim, unwrap(index)));
  GS_CATCH(nullptr)
}

gs_tensor gs_gather(gs_tensor t, int64_t dim, gs_tensor index) {
  GS_TRY
  return wrap(at::gather(unwrap(t), dim, unwrap(index)));
  GS_CATCH(nullptr)
}

gs_tensor gs_index_add(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor source, double alpha) {
  GS_TRY
  return wrap(unwrap(t).index_add(dim, unwrap(index), unwrap(source), alpha));
  GS_CATCH(nullptr)
}

gs_tensor gs_scatter_add(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor source) {
  GS_TRY
  return wrap(unwrap(t).scatter_add(dim, unwrap(index), unwrap(source)));
  GS_CATCH(nullptr)
}

gs_tensor gs_scatter_reduce(gs_tensor t, int64_t dim, gs_tensor index, gs_tensor source, int reduce, int include_self) {
  GS_TRY
  return wrap(unwrap(t).scatter_reduce(dim, unwrap(index), unwrap(source), reduce_name(reduce), include_self != 0));
  GS_CATCH(nullptr)
}

gs_tensor gs_one_hot(gs_tensor index, int64_t num_classes) {
  GS_TRY
  return wrap(at::one_hot(unwrap(index), num_classes));
  GS_CATCH(nullptr)
}

}  // extern "C"
