// Attention masked by a graph, in one pass over the edges (and one more for the gradients): for every
// receiver r and head h,
//   a_e   = softmax over the edges e = (s -> r) into r of  scale * q_r . k_s     (per head)
//   out_r = sum over those edges of a_e v_s
// with q, k, v of shape [N, d, H] (component i of head h at [n, i, h], as the mesh transformer splits
// heads). A receiver without incoming edges gets 0.
//
// Why a kernel of its own: written with gathers, a segment softmax and a scatter, this is about twenty
// ATen ops per block, each reading or writing an [E, d, H] tensor; on small meshes their per-op cost
// and the memory traffic were most of the transformer's step. Here each edge's q.k and a v are
// computed in registers, and the saved state is a_e, [E, H]. CPU only, float32 and float64;
// everything else (CUDA tensors, bf16 under autocast) takes the composed ATen path in C#.
//
// The gradients, with g = dL/dout and a_e's softmax written out:
//   dL/da_e  = g_r . v_s                                     (per head)
//   dL/dz_e  = a_e (dL/da_e - sum over e' into r of a_e' dL/da_e')      (z_e the scaled score)
//   dL/dq_r  = scale sum over e into r of dL/dz_e k_s
//   dL/dk_s  = scale sum over e out of s of dL/dz_e q_r
//   dL/dv_s  =       sum over e out of s of a_e g_r
// The receiver-side sums run over the edges grouped by receiver, the sender-side ones over the edges
// grouped by sender, so every thread writes its own rows: no atomics, and the result does not depend
// on the number of threads.
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "shim_common.h"

using gs::unwrap;
using gs::wrap;

namespace {

// The edges grouped by one endpoint (counting sort, stable): the edges of node n are
// order[offsets[n]] .. order[offsets[n + 1] - 1].
struct Grouping {
  at::Tensor offsets;  // [N + 1] int64
  at::Tensor order;    // [E] int64: edge ids
};

void check_nodes(const at::Tensor& endpoint, int64_t nodes) {
  const int64_t* node = endpoint.data_ptr<int64_t>();
  for (int64_t e = 0; e < endpoint.size(0); ++e)
    TORCH_CHECK(node[e] >= 0 && node[e] < nodes, "graph attention: edge ", e, " has node ", node[e], ", outside 0..", nodes - 1);
}

// The endpoints must be checked (check_nodes) before.
Grouping group_by(const at::Tensor& endpoint, int64_t nodes) {
  const int64_t edges = endpoint.size(0);
  auto offsets = at::zeros({nodes + 1}, endpoint.options());
  auto order = at::empty({edges}, endpoint.options());
  const int64_t* node = endpoint.data_ptr<int64_t>();
  int64_t* start = offsets.data_ptr<int64_t>();
  for (int64_t e = 0; e < edges; ++e) ++start[node[e] + 1];
  for (int64_t n = 0; n < nodes; ++n) start[n + 1] += start[n];
  std::vector<int64_t> next(start, start + nodes);
  int64_t* ids = order.data_ptr<int64_t>();
  for (int64_t e = 0; e < edges; ++e) ids[next[node[e]]++] = e;
  return {offsets, order};
}

constexpr int64_t grain = 32;  // nodes per task of the thread pool

// dot[h] = sum over i of x[i, h] y[i, h]: the per-head dot products of two [d, H] rows (product: room for d H).
template <typename T>
void head_dots(const T* x, const T* y, int64_t d, int64_t heads, T* product, T* dot) {
  for (int64_t c = 0; c < d * heads; ++c) product[c] = x[c] * y[c];
  for (int64_t h = 0; h < heads; ++h) dot[h] = T(0);
  for (int64_t i = 0; i < d; ++i)
    for (int64_t h = 0; h < heads; ++h) dot[h] += product[i * heads + h];
}

// out[i, h] += scale w[h] y[i, h]: each head's weight on its components of a [d, H] row (spread: room for d H).
template <typename T>
void add_weighted(const T* w, T scale, const T* y, int64_t d, int64_t heads, T* spread, T* out) {
  for (int64_t i = 0; i < d; ++i)
    for (int64_t h = 0; h < heads; ++h) spread[i * heads + h] = scale * w[h];
  for (int64_t c = 0; c < d * heads; ++c) out[c] += spread[c] * y[c];
}

template <typename T>
void attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& senders,
            const Grouping& by_receiver, double scale, at::Tensor& out, at::Tensor& weights) {
  const int64_t nodes = q.size(0), d = q.size(1), heads = q.size(2), width = d * heads;
  const T* qp = q.data_ptr<T>();
  const T* kp = k.data_ptr<T>();
  const T* vp = v.data_ptr<T>();
  const int64_t* sender = senders.data_ptr<int64_t>();
  const int64_t* offsets = by_receiver.offsets.data_ptr<int64_t>();
  const int64_t* order = by_receiver.order.data_ptr<int64_t>();
  T* outp = out.data_ptr<T>();
  T* ap = weights.data_ptr<T>();
  at::parallel_for(0, nodes, grain, [&](int64_t first, int64_t last) {
    std::vector<T> product(width), highest(heads), total(heads), spread(width);
    for (int64_t r = first; r < last; ++r) {
      T* o = outp + r * width;
      std::fill(o, o + width, T(0));
      const int64_t begin = offsets[r], end = offsets[r + 1];
      if (begin == end) continue;
      const T* qr = qp + r * width;
      // Scores, and the largest per head (subtracted before exp, as a softmax must).
      std::fill(highest.begin(), highest.end(), -std::numeric_limits<T>::infinity());
      for (int64_t j = begin; j < end; ++j) {
        const int64_t e = order[j];
        T* a = ap + e * heads;
        head_dots(qr, kp + sender[e] * width, d, heads, product.data(), a);
        for (int64_t h = 0; h < heads; ++h) {
          a[h] *= static_cast<T>(scale);
          highest[h] = std::max(highest[h], a[h]);
        }
      }
      std::fill(total.begin(), total.end(), T(0));
      for (int64_t j = begin; j < end; ++j) {
        T* a = ap + order[j] * heads;
        for (int64_t h = 0; h < heads; ++h) {
          a[h] = std::exp(a[h] - highest[h]);
          total[h] += a[h];
        }
      }
      for (int64_t j = begin; j < end; ++j) {
        const int64_t e = order[j];
        T* a = ap + e * heads;
        for (int64_t h = 0; h < heads; ++h) a[h] /= total[h];
        add_weighted(a, T(1), vp + sender[e] * width, d, heads, spread.data(), o);
      }
    }
  });
}

template <typename T>
void attend_backward(const at::Tensor& grad, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     const at::Tensor& senders, const at::Tensor& receivers, const at::Tensor& weights,
                     const Grouping& by_receiver, const Grouping& by_sender, double scale, at::Tensor& dq, at::Tensor& dk,
                     at::Tensor& dv) {
  const int64_t nodes = q.size(0), d = q.size(1), heads = q.size(2), width = d * heads, edges = senders.size(0);
  const T* gp = grad.data_ptr<T>();
  const T* qp = q.data_ptr<T>();
  const T* kp = k.data_ptr<T>();
  const T* vp = v.data_ptr<T>();
  const T* ap = weights.data_ptr<T>();
  const int64_t* sender = senders.data_ptr<int64_t>();
  const int64_t* receiver = receivers.data_ptr<int64_t>();
  auto score_grad = at::empty({edges, heads}, q.options());  // dL/dz_e
  T* zp = score_grad.data_ptr<T>();
  T* dqp = dq.data_ptr<T>();
  T* dkp = dk.data_ptr<T>();
  T* dvp = dv.data_ptr<T>();
  {
    const int64_t* offsets = by_receiver.offsets.data_ptr<int64_t>();
    const int64_t* order = by_receiver.order.data_ptr<int64_t>();
    at::parallel_for(0, nodes, grain, [&](int64_t first, int64_t last) {
      std::vector<T> product(width), mean(heads), spread(width);
      for (int64_t r = first; r < last; ++r) {
        T* dqr = dqp + r * width;
        std::fill(dqr, dqr + width, T(0));
        const int64_t begin = offsets[r], end = offsets[r + 1];
        if (begin == end) continue;
        const T* gr = gp + r * width;
        std::fill(mean.begin(), mean.end(), T(0));
        for (int64_t j = begin; j < end; ++j) {  // dL/da_e, and its a-weighted mean per head
          const int64_t e = order[j];
          T* z = zp + e * heads;
          const T* a = ap + e * heads;
          head_dots(gr, vp + sender[e] * width, d, heads, product.data(), z);
          for (int64_t h = 0; h < heads; ++h) mean[h] += a[h] * z[h];
        }
        for (int64_t j = begin; j < end; ++j) {
          const int64_t e = order[j];
          T* z = zp + e * heads;
          const T* a = ap + e * heads;
          for (int64_t h = 0; h < heads; ++h) z[h] = a[h] * (z[h] - mean[h]);
          add_weighted(z, static_cast<T>(scale), kp + sender[e] * width, d, heads, spread.data(), dqr);
        }
      }
    });
  }
  {
    const int64_t* offsets = by_sender.offsets.data_ptr<int64_t>();
    const int64_t* order = by_sender.order.data_ptr<int64_t>();
    at::parallel_for(0, nodes, grain, [&](int64_t first, int64_t last) {
      std::vector<T> spread(width);
      for (int64_t s = first; s < last; ++s) {
        T* dks = dkp + s * width;
        T* dvs = dvp + s * width;
        std::fill(dks, dks + width, T(0));
        std::fill(dvs, dvs + width, T(0));
        for (int64_t j = offsets[s]; j < offsets[s + 1]; ++j) {
          const int64_t e = order[j];
          add_weighted(zp + e * heads, static_cast<T>(scale), qp + receiver[e] * width, d, heads, spread.data(), dks);
          add_weighted(ap + e * heads, T(1), gp + receiver[e] * width, d, heads, spread.data(), dvs);
        }
      }
    });
  }
}

class GraphAttention : public torch::autograd::Function<GraphAttention> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& q, const at::Tensor& k,
                            const at::Tensor& v, const at::Tensor& senders, const at::Tensor& receivers, double scale) {
    const int64_t nodes = q.size(0);
    check_nodes(receivers, nodes);
    check_nodes(senders, nodes);
    auto by_receiver = group_by(receivers, nodes);  // by sender in the backward only: a rollout needs no such grouping
    auto out = at::empty_like(q);
    auto weights = at::empty({senders.size(0), q.size(2)}, q.options());
    AT_DISPATCH_FLOATING_TYPES(q.scalar_type(), "graph_attention",
                               [&] { attend<scalar_t>(q, k, v, senders, by_receiver, scale, out, weights); });
    ctx->save_for_backward({q, k, v, senders, receivers, weights, by_receiver.offsets, by_receiver.order});
    ctx->saved_data["scale"] = scale;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    TORCH_CHECK(!c10::GradMode::is_enabled(), "second derivatives through graph attention are not supported");
    auto saved = ctx->get_saved_variables();
    const auto &q = saved[0], &k = saved[1], &v = saved[2];
    Grouping by_receiver{saved[6], saved[7]};
    auto by_sender = group_by(saved[3], q.size(0));
    auto grad = grads[0].contiguous();
    auto dq = at::empty_like(q), dk = at::empty_like(k), dv = at::empty_like(v);
    AT_DISPATCH_FLOATING_TYPES(q.scalar_type(), "graph_attention_backward", [&] {
      attend_backward<scalar_t>(grad, q, k, v, saved[3], saved[4], saved[5], by_receiver, by_sender,
                                ctx->saved_data["scale"].toDouble(), dq, dk, dv);
    });
    return {dq, dk, dv, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

int gs_graph_attention_fits(gs_tensor q) {
  GS_TRY
  const auto& t = unwrap(q);
  const bool floating = t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble;
  return t.device().is_cpu() && t.layout() == at::kStrided && floating ? 1 : 0;
  GS_CATCH(-1)
}

gs_tensor gs_graph_attention(gs_tensor q, gs_tensor k, gs_tensor v, gs_tensor senders, gs_tensor receivers, double scale) {
  GS_TRY
  const auto &tq = unwrap(q), &tk = unwrap(k), &tv = unwrap(v), &ts = unwrap(senders), &tr = unwrap(receivers);
  TORCH_CHECK(tq.dim() == 3 && tq.sizes() == tk.sizes() && tq.sizes() == tv.sizes(),
              "graph attention: q, k and v must be [N, d, H] alike, they are ", tq.sizes(), ", ", tk.sizes(), ", ", tv.sizes());
  TORCH_CHECK(tq.scalar_type() == tk.scalar_type() && tq.scalar_type() == tv.scalar_type(), "graph attention: q, k and v must share a dtype");
  TORCH_CHECK(tq.device().is_cpu() && tk.device().is_cpu() && tv.device().is_cpu(), "graph attention: the fused kernel is CPU only");
  TORCH_CHECK(ts.dim() == 1 && tr.dim() == 1 && ts.size(0) == tr.size(0) && ts.scalar_type() == at::kLong && tr.scalar_type() == at::kLong,
              "graph attention: senders and receivers must be [E] int64 alike, they are ", ts.sizes(), " and ", tr.sizes());
  return wrap(GraphAttention::apply(tq.contiguous(), tk.contiguous(), tv.contiguous(), ts.contiguous(), tr.contiguous(), scale));
  GS_CATCH(nullptr)
}
