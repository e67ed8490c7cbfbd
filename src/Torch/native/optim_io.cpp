// Optimizer kernels (one native call per step rather than several per parameter) and saving in
// torch.save's zip/pickle format.
#include <torch/serialize.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include "shim_common.h"

using gs::unwrap;
using gs::wrap;

extern "C" {

// Adam (Kingma & Ba) with bias correction; AdamW (Loshchilov & Hutter) when decoupled:
//   decoupled: p <- p (1 - lr wd);            else: g <- g + wd p
//   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
//   p <- p - lr / (1 - b1^t) * m / (sqrt(v / (1 - b2^t)) + eps)
int gs_adam_step(const gs_tensor* params, const gs_tensor* exp_avg, const gs_tensor* exp_avg_sq, int64_t* steps,
                 int n, double lr, double beta1, double beta2, double eps, double weight_decay, int decoupled) {
  GS_TRY
  at::NoGradGuard no_grad;
  for (int i = 0; i < n; ++i) {
    auto& p = unwrap(params[i]);
    at::Tensor g = p.grad();
    if (!g.defined()) continue;
    auto& m = unwrap(exp_avg[i]);
    auto& v = unwrap(exp_avg_sq[i]);
    int64_t step = ++steps[i];
    if (weight_decay != 0) {
      if (decoupled)
        p.mul_(1.0 - lr * weight_decay);
      else
        g = g.add(p, weight_decay);
    }
    m.mul_(beta1).add_(g, 1.0 - beta1);
    v.mul_(beta2).addcmul_(g, g, 1.0 - beta2);
    double bias1 = 1.0 - std::pow(beta1, static_cast<double>(step));
    double bias2 = 1.0 - std::pow(beta2, static_cast<double>(step));
    auto denom = (v.sqrt() / std::sqrt(bias2)).add_(eps);
    p.addcdiv_(m, denom, -lr / bias1);
  }
  return 0;
  GS_CATCH(-1)
}

int gs_clip_grad_norm(const gs_tensor* params, int n, double max_norm, double* total_norm) {
  GS_TRY
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (int i = 0; i < n; ++i) {
    const auto& g = unwrap(params[i]).grad();
    if (g.defined()) grads.push_back(g);
  }
  if (grads.empty()) {
    *total_norm = 0;
    return 0;
  }
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  for (const auto& g : grads) norms.push_back(g.norm(2));
  double total = at::stack(norms).norm(2).item<double>();
  *total_norm = total;
  double scale = max_norm / (total + 1e-6);
  if (scale < 1.0)
    for (auto& g : grads) g.mul_(scale);
  return 0;
  GS_CATCH(-1)
}

// Writes a dict str -> tensor (CPU copies) that Python's torch.load reads as a plain dict.
int gs_save(const char* path, const char* const* names, const gs_tensor* tensors, int n) {
  GS_TRY
  c10::Dict<std::string, at::Tensor> dict;
  for (int i = 0; i < n; ++i) dict.insert(names[i], unwrap(tensors[i]).detach().to(at::kCPU));
  std::vector<char> bytes = torch::pickle_save(dict);
  // The OS's reason (a full disk, a read-only place) goes into the message: errno is what the failed call left.
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(std::string("cannot write ") + path + " (" + std::strerror(errno) + ")");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error(std::string("write failed: ") + path + (errno != 0 ? std::string(" (") + std::strerror(errno) + ")" : std::string()));
  return 0;
  GS_CATCH(-1)
}

}  // extern "C"
