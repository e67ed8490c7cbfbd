// Creation, data transfer, metadata, views and joins, conversions, in-place updates, autograd.
#include <cstring>
#include <sstream>

#include "shim_common.h"

using gs::dims_of;
using gs::unwrap;
using gs::wrap;

extern "C" {

// ---- creation and data ----

gs_tensor gs_factory(int kind, const int64_t* shape, int ndim, int dtype, int device_type, int device_index,
                     double value, int requires_grad) {
  GS_TRY
  auto options = gs::options_of(dtype, device_type, device_index);
  auto size = dims_of(shape, ndim);
  at::Tensor t;
  switch (kind) {
    case 0: t = at::zeros(size, options); break;
    case 1: t = at::ones(size, options); break;
    case 2: t = at::empty(size, options); break;
    case 3: t = at::randn(size, options); break;
    case 4: t = at::rand(size, options); break;
    case 5: t = at::full(size, value, options); break;
    default: throw std::invalid_argument("unknown factory kind " + std::to_string(kind));
  }
  if (requires_grad) t.requires_grad_(true);
  return wrap(std::move(t));
  GS_CATCH(nullptr)
}

gs_tensor gs_arange(double start, double end, double step, int dtype, int device_type, int device_index) {
  GS_TRY
  return wrap(at::arange(start, end, step, gs::options_of(dtype, device_type, device_index)));
  GS_CATCH(nullptr)
}

gs_tensor gs_from_buffer(const void* data, const int64_t* shape, int ndim, int dtype) {
  GS_TRY
  auto t = at::empty(dims_of(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
  std::memcpy(t.data_ptr(), data, t.nbytes());
  return wrap(std::move(t));
  GS_CATCH(nullptr)
}

int gs_copy_to_buffer(gs_tensor handle, void* dst, int64_t nbytes) {
  GS_TRY
  auto t = unwrap(handle).detach().to(at::kCPU).contiguous();
  if (static_cast<int64_t>(t.nbytes()) != nbytes)
    throw std::invalid_argument("buffer of " + std::to_string(nbytes) + " bytes for a tensor of " +
                                std::to_string(t.nbytes()) + " bytes");
  std::memcpy(dst, t.data_ptr(), t.nbytes());
  return 0;
  GS_CATCH(-1)
}

gs_tensor gs_scalar_tensor(double value, int dtype) {
  GS_TRY
  return wrap(at::scalar_tensor(value, at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype))));
  GS_CATCH(nullptr)
}

// ---- metadata ----

int gs_dim(gs_tensor t) {
  GS_TRY
  return static_cast<int>(unwrap(t).dim());
  GS_CATCH(-1)
}

int gs_sizes(gs_tensor t, int64_t* out) {
  GS_TRY
  auto sizes = unwrap(t).sizes();
  std::copy(sizes.begin(), sizes.end(), out);
  return 0;
  GS_CATCH(-1)
}

int gs_dtype(gs_tensor t) {
  GS_TRY
  return static_cast<int>(unwrap(t).scalar_type());
  GS_CATCH(-1)
}

int gs_device(gs_tensor t, int* device_type, int* device_index) {
  GS_TRY
  auto device = unwrap(t).device();
  *device_type = static_cast<int>(device.type());
  *device_index = device.has_index() ? device.index() : -1;
  return 0;
  GS_CATCH(-1)
}

int gs_item(gs_tensor t, double* out) {
  GS_TRY
  *out = unwrap(t).item<double>();
  return 0;
  GS_CATCH(-1)
}

int gs_item_long(gs_tensor t, int64_t* out) {
  GS_TRY
  *out = unwrap(t).item<int64_t>();
  return 0;
  GS_CATCH(-1)
}

char* gs_to_string(gs_tensor t) {
  GS_TRY
  std::ostringstream text;
  text << unwrap(t);
  return strdup(text.str().c_str());
  GS_CATCH(nullptr)
}

void gs_free_string(char* s) { free(s); }

// ---- views and joins ----

gs_tensor gs_view(gs_tensor t, const int64_t* shape, int ndim) {
  GS_TRY
  return wrap(unwrap(t).view(dims_of(shape, ndim)));
  GS_CATCH(nullptr)
}

gs_tensor gs_reshape(gs_tensor t, const int64_t* shape, int ndim) {
  GS_TRY
  return wrap(unwrap(t).reshape(dims_of(shape, ndim)));
  GS_CATCH(nullptr)
}

gs_tensor gs_expand(gs_tensor t, const int64_t* shape, int ndim) {
  GS_TRY
  return wrap(unwrap(t).expand(dims_of(shape, ndim)));
  GS_CATCH(nullptr)
}

gs_tensor gs_permute(gs_tensor t, const int64_t* dims, int ndim) {
  GS_TRY
  return wrap(unwrap(t).permute(dims_of(dims, ndim)));
  GS_CATCH(nullptr)
}

gs_tensor gs_transpose(gs_tensor t, int64_t dim0, int64_t dim1) {
  GS_TRY
  return wrap(unwrap(t).transpose(dim0, dim1));
  GS_CATCH(nullptr)
}

gs_tensor gs_contiguous(gs_tensor t) {
  GS_TRY
  return wrap(unwrap(t).contiguous());
  GS_CATCH(nullptr)
}

gs_tensor gs_squeeze(gs_tensor t, int64_t dim, int all_dims) {
  GS_TRY
  return wrap(all_dims ? unwrap(t).squeeze() : unwrap(t).squeeze(dim));
  GS_CATCH(nullptr)
}

gs_tensor gs_unsqueeze(gs_tensor t, int64_t dim) {
  GS_TRY
  return wrap(unwrap(t).unsqueeze(dim));
  GS_CATCH(nullptr)
}

gs_tensor gs_narrow(gs_tensor t, int64_t dim, int64_t start, int64_t length) {
  GS_TRY
  return wrap(unwrap(t).narrow(dim, start, length));
  GS_CATCH(nullptr)
}

gs_tensor gs_as_strided(gs_tensor t, const int64_t* size, const int64_t* stride, int ndim, int64_t offset) {
  GS_TRY
  return wrap(unwrap(t).as_strided(dims_of(size, ndim), dims_of(stride, ndim), offset));
  GS_CATCH(nullptr)
}

gs_tensor gs_slice(gs_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  GS_TRY
  return wrap(unwrap(t).slice(dim, start, end, step));
  GS_CATCH(nullptr)
}

gs_tensor gs_cat(const gs_tensor* ts, int n, int64_t dim) {
  GS_TRY
  return wrap(at::cat(gs::unwrap_all(ts, n), dim));
  GS_CATCH(nullptr)
}

gs_tensor gs_stack(const gs_tensor* ts, int n, int64_t dim) {
  GS_TRY
  return wrap(at::stack(gs::unwrap_all(ts, n), dim));
  GS_CATCH(nullptr)
}

int gs_split(gs_tensor t, int64_t size, int64_t dim, int chunk, gs_tensor* out, int capacity) {
  GS_TRY
  auto pieces = chunk ? unwrap(t).chunk(size, dim) : unwrap(t).split(size, dim);
  if (static_cast<int>(pieces.size()) > capacity)
    throw std::invalid_argument("split produced more pieces than the caller expected");
  for (size_t i = 0; i < pieces.size(); ++i) out[i] = wrap(std::move(pieces[i]));
  return static_cast<int>(pieces.size());
  GS_CATCH(-1)
}

// ---- conversion, copies, in-place ----

gs_tensor gs_to(gs_tensor t, int dtype, int device_type, int device_index, int copy) {
  GS_TRY
  at::Device device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index));
  return wrap(unwrap(t).to(device, static_cast<at::ScalarType>(dtype), /*non_blocking=*/false, copy != 0));
  GS_CATCH(nullptr)
}

gs_tensor gs_clone(gs_tensor t) {
  GS_TRY
  return wrap(unwrap(t).clone());
  GS_CATCH(nullptr)
}

gs_tensor gs_detach(gs_tensor t) {
  GS_TRY
  return wrap(unwrap(t).detach());
  GS_CATCH(nullptr)
}

gs_tensor gs_alias(gs_tensor t) {
  GS_TRY
  return wrap(unwrap(t));
  GS_CATCH(nullptr)
}

int gs_inplace_binary(int op, gs_tensor handle, gs_tensor other_handle, double alpha) {
  GS_TRY
  auto& t = unwrap(handle);
  const auto& other = unwrap(other_handle);
  switch (op) {
    case 0: t.add_(other, alpha); break;
    case 1: t.sub_(other, alpha); break;
    case 2: t.mul_(other); break;
    case 3: t.div_(other); break;
    case 4: t.copy_(other); break;
    default: throw std::invalid_argument("unknown in-place op " + std::to_string(op));
  }
  return 0;
  GS_CATCH(-1)
}

int gs_inplace_scalar(int op, gs_tensor handle, double a, double b) {
  GS_TRY
  auto& t = unwrap(handle);
  switch (op) {
    case 0: t.fill_(a); break;
    case 1: t.zero_(); break;
    case 2: t.uniform_(a, b); break;
    case 3: t.normal_(a, b); break;
    case 4: t.mul_(a); break;
    case 5: t.add_(a); break;
    default: throw std::invalid_argument("unknown in-place op " + std::to_string(op));
  }
  return 0;
  GS_CATCH(-1)
}

int gs_set_data(gs_tensor t, gs_tensor source) {
  GS_TRY
  unwrap(t).set_data(unwrap(source));
  return 0;
  GS_CATCH(-1)
}

// ---- autograd ----

int gs_requires_grad(gs_tensor t) {
  GS_TRY
  return unwrap(t).requires_grad() ? 1 : 0;
  GS_CATCH(-1)
}

int gs_set_requires_grad(gs_tensor t, int requires_grad) {
  GS_TRY
  unwrap(t).requires_grad_(requires_grad != 0);
  return 0;
  GS_CATCH(-1)
}

int gs_grad(gs_tensor t, gs_tensor* out) {
  GS_TRY
  const auto& grad = unwrap(t).grad();
  *out = grad.defined() ? wrap(grad) : nullptr;
  return 0;
  GS_CATCH(-1)
}

int gs_set_grad(gs_tensor t, gs_tensor grad) {
  GS_TRY
  unwrap(t).mutable_grad() = grad == nullptr ? at::Tensor() : unwrap(grad);
  return 0;
  GS_CATCH(-1)
}

int gs_backward(gs_tensor t, gs_tensor gradient, int retain_graph) {
  GS_TRY
  at::Tensor grad = gradient == nullptr ? at::Tensor() : unwrap(gradient);
  unwrap(t).backward(grad, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt);
  return 0;
  GS_CATCH(-1)
}

}  // extern "C"
