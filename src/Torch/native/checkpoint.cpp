// Activation checkpointing (torch.utils.checkpoint's reentrant form) for segments of a model written
// in C#: in the forward pass the segment runs without recording a graph, and only its inputs are
// kept; in the backward pass it runs again, this time with a graph, and the output gradients are
// back-propagated through that recomputation (into the parameters it uses, and into its inputs,
// which this node hands on). A segment's activations then live only while its own backward runs,
// for the price of one more forward.
//
// The segment is C# code, reached through two callbacks that the binding registers once:
// run(segment, inputs) computes the outputs; release(segment) tells C# that no backward will ask for
// the segment any more (the node that holds it was freed), so it can forget it.
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <stdexcept>
#include <vector>

#include "shim_common.h"

using gs::unwrap;
using gs::wrap;

namespace {

gs_segment_run_fn run_segment = nullptr;
gs_segment_release_fn release_segment = nullptr;

constexpr int max_outputs = 16;

torch::autograd::variable_list call_segment(int64_t segment, const torch::autograd::variable_list& inputs) {
  if (run_segment == nullptr) throw std::logic_error("checkpointed segment: no callbacks registered (gs_set_segment_callbacks)");
  std::vector<gs_tensor> handles;  // freed by the callee
  handles.reserve(inputs.size());
  for (const auto& t : inputs) handles.push_back(wrap(t));
  gs_tensor outputs[max_outputs];
  const int count = run_segment(segment, handles.data(), static_cast<int>(handles.size()), outputs, max_outputs);
  if (count < 0) throw std::runtime_error(gs_last_error());  // the callee's exception, as its message
  torch::autograd::variable_list result;
  for (int i = 0; i < count; ++i) {
    result.push_back(unwrap(outputs[i]));
    gs_free(outputs[i]);
  }
  return result;
}

// A tensor whose storage's deleter releases the segment: kept in the node's saved data, it dies with the node.
at::Tensor release_token(int64_t segment) {
  auto* id = new int64_t(segment);
  return at::from_blob(
      id, {0},
      [](void* p) {
        const int64_t s = *static_cast<int64_t*>(p);
        delete static_cast<int64_t*>(p);
        if (release_segment != nullptr) release_segment(s);
      },
      at::TensorOptions().dtype(at::kLong));
}

class Recomputed : public torch::autograd::Function<Recomputed> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, int64_t segment, at::TensorList inputs) {
    ctx->saved_data["segment"] = segment;
    ctx->saved_data["release"] = release_token(segment);
    ctx->save_for_backward(inputs.vec());
    return call_segment(segment, inputs.vec());  // apply() runs this with grad mode off: no graph is recorded
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    TORCH_CHECK(!c10::GradMode::is_enabled(), "second derivatives through a checkpointed segment are not supported");
    torch::autograd::variable_list inputs;
    for (const auto& saved : ctx->get_saved_variables()) {
      auto input = saved.detach();
      input.requires_grad_(saved.requires_grad());
      inputs.push_back(input);
    }
    torch::autograd::variable_list outputs;
    {
      at::AutoGradMode with_graph(true);
      outputs = call_segment(ctx->saved_data["segment"].toInt(), inputs);
    }
    torch::autograd::variable_list roots, root_grads;
    for (size_t i = 0; i < outputs.size() && i < grads.size(); ++i)
      if (outputs[i].requires_grad() && grads[i].defined()) {
        roots.push_back(outputs[i]);
        root_grads.push_back(grads[i]);
      }
    if (!roots.empty()) torch::autograd::backward(roots, root_grads);
    torch::autograd::variable_list result{at::Tensor()};  // none for the segment id
    for (auto& input : inputs) result.push_back(input.requires_grad() ? input.grad() : at::Tensor());
    return result;
  }
};

}  // namespace

void gs_set_segment_callbacks(gs_segment_run_fn run, gs_segment_release_fn release) {
  run_segment = run;
  release_segment = release;
}

void gs_set_error(const char* message) { gs::set_error(message); }

int gs_checkpoint(int64_t segment, const gs_tensor* inputs, int n_inputs, gs_tensor* outputs, int capacity) {
  GS_TRY
  auto results = Recomputed::apply(segment, at::TensorList(gs::unwrap_all(inputs, n_inputs)));
  TORCH_CHECK(static_cast<int>(results.size()) <= capacity, "checkpointed segment: ", results.size(), " outputs, room for ", capacity);
  for (size_t i = 0; i < results.size(); ++i) outputs[i] = wrap(results[i]);
  return static_cast<int>(results.size());
  GS_CATCH(-1)
}
