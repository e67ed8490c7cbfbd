#!/usr/bin/python3
"""The PyTorch twin of GnnSim's mesh graph transformer, for the side-by-side benchmark and the golden tests.

The mesh graph transformer (Garnier et al.; the reference code is DonsetPG/graph-physics) written
plainly in PyTorch's Python API, as GnnSim's operator is built: an MLP encoder ending in RMSNorm,
blocks of attention masked by the mesh edges (softmax over each receiver's senders) and a gated MLP,
each behind an RMSNorm and a residual, an MLP decoder; optionally RoPE from the node positions and
global tokens per graph. The normalizers are the next-state objective's, shared with mgn_bench.py.
State-dict keys are GnnSim's (`model.processor_list.0.attention.q_proj.weight`).

Usage:
  transformer_bench.py INTRA_THREADS SIDE WARMUP REPEATS [rollout]
      times one training step (not with "rollout") and one rollout step of the small model (4 blocks,
      64 wide, 4 heads) on a triangulated SIDE x SIDE square; one JSON line.
  transformer_bench.py predict CHECKPOINT INPUTS OUTPUT
      loads a GnnSim checkpoint (strict; the heads, which the weights do not tell, from the run's
      config.yaml beside it) and writes the next state for INPUTS as OUTPUT {"next_state"}.
  transformer_bench.py init INPUTS OUTPUT WIDTH BLOCKS HEADS ROPE GLOBAL_TOKENS SEED
      makes a model and normalizer statistics in PyTorch, sized for INPUTS, and writes their state
      dict and the next state it predicts for INPUTS to OUTPUT.
Threads and malloc settings come from the caller.
"""
import math
import os
import re

import torch
from torch import nn

from mgn_bench import NextStateNormalizers, bench_square, run_twin, save_made, section, time_steps


class RMSNorm(nn.Module):
    def __init__(self, width, eps=1e-8):
        super().__init__()
        self.eps = eps
        self.scale = nn.Parameter(torch.ones(width))

    def forward(self, x):
        rms = x.norm(2, dim=-1, keepdim=True) / math.sqrt(x.shape[-1])
        return self.scale * x / (rms + self.eps)


def mlp(inputs, hidden, outputs, rms_norm):
    layers = [nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
              nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, outputs)]
    if rms_norm:
        layers.append(RMSNorm(outputs))
    return nn.Sequential(*layers)


class GatedMLP(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.linear1 = nn.Linear(width, hidden)
        self.linear2 = nn.Linear(width, hidden)

    def forward(self, x):
        return nn.functional.gelu(self.linear1(x)) * self.linear2(x)


def rotate(x, positions, frequencies):
    """RoPE on x [N, d, H]: the first 2 D m components of a head as D blocks of m pairs, pair i of block p turned by pos_p w_i."""
    n, d, h = x.shape
    dims, m = positions.shape[1], frequencies.shape[0]
    turned = dims * 2 * m
    angles = (positions.unsqueeze(2) * frequencies.view(1, 1, m)).view(n, dims, m, 1, 1)
    pairs = x[:, :turned].reshape(n, dims, m, 2, h)
    even, odd = pairs[:, :, :, 0:1], pairs[:, :, :, 1:2]
    rotated = torch.cat([even * angles.cos() - odd * angles.sin(), even * angles.sin() + odd * angles.cos()], dim=3)
    return torch.cat([rotated.reshape(n, turned, h), x[:, turned:]], dim=1)


class MaskedAttention(nn.Module):
    def __init__(self, width, heads, rope_positions=0, rope_base=10000.0):
        super().__init__()
        self.heads, self.head_width = heads, width // heads
        self.q_proj, self.k_proj, self.v_proj, self.proj = (nn.Linear(width, width) for _ in range(4))
        if rope_positions:
            pairs = self.head_width // (2 * rope_positions)
            self.register_buffer("rope_inv_freq", torch.exp(-torch.arange(pairs, dtype=torch.float32) * (math.log(rope_base) / pairs)))
        else:
            self.rope_inv_freq = None

    def forward(self, x, senders, receivers, positions):
        n = x.shape[0]
        # Channel c is component c // H of head c % H, as graph-physics reshapes.
        q, k, v = (f(x).reshape(n, self.head_width, self.heads) for f in (self.q_proj, self.k_proj, self.v_proj))
        if self.rope_inv_freq is not None:
            q, k = rotate(q, positions, self.rope_inv_freq), rotate(k, positions, self.rope_inv_freq)
        scores = (q[receivers] * k[senders]).sum(1) / math.sqrt(self.head_width)             # [E, H]
        highest = torch.full((n, self.heads), -math.inf).scatter_reduce(0, receivers.view(-1, 1).expand_as(scores), scores, "amax")
        weights = (scores - highest[receivers].detach()).exp()
        weights = weights / torch.zeros(n, self.heads).index_add_(0, receivers, weights)[receivers]
        merged = torch.zeros(n, self.head_width, self.heads).index_add_(0, receivers, v[senders] * weights.unsqueeze(1))
        return self.proj(merged.reshape(n, -1))


class Block(nn.Module):
    def __init__(self, width, heads, rope_positions):
        super().__init__()
        self.attention = MaskedAttention(width, heads, rope_positions)
        self.norm1, self.norm2 = RMSNorm(width), RMSNorm(width)
        self.gated_mlp = nn.Sequential(RMSNorm(width), GatedMLP(width, 3 * width), nn.Linear(3 * width, width))

    def forward(self, x, senders, receivers, positions):
        x = x + self.attention(self.norm1(x), senders, receivers, positions)
        return x + self.gated_mlp(self.norm2(x))


class MeshTransformer(nn.Module):
    def __init__(self, node_inputs, outputs, width=64, blocks=4, heads=4, rope=False, global_tokens=0, dimension=2):
        super().__init__()
        self.nodes_encoder = mlp(node_inputs, width, width, rms_norm=True)
        self.processor_list = nn.ModuleList([Block(width, heads, dimension if rope else 0) for _ in range(blocks)])
        self.decode_module = mlp(width, width, outputs, rms_norm=False)
        self.tokens = global_tokens
        if global_tokens:
            self.global_tokens = nn.Parameter(torch.randn(global_tokens, width) * 0.02)

    def forward(self, node_inputs, positions, senders, receivers, offsets):
        n = node_inputs.shape[0]
        x = self.nodes_encoder(node_inputs)
        if self.tokens:
            graphs = len(offsets) - 1
            x = torch.cat([x, self.global_tokens.repeat(graphs, 1)])
            centroids = [positions[a:b].mean(0, keepdim=True).expand(self.tokens, -1) for a, b in zip(offsets[:-1], offsets[1:])]
            positions = torch.cat([positions] + centroids)
            nodes = torch.arange(n).repeat_interleave(self.tokens)
            graph_of = torch.cat([torch.full((b - a,), g) for g, (a, b) in enumerate(zip(offsets[:-1], offsets[1:]))])
            tokens = n + (graph_of * self.tokens).repeat_interleave(self.tokens) + torch.arange(self.tokens).repeat(n)
            senders, receivers = torch.cat([senders, tokens, nodes]), torch.cat([receivers, nodes, tokens])
        for block in self.processor_list:
            x = block(x, senders, receivers, positions)
        return self.decode_module(x[:n])


def next_state(model, normalizers, inputs):
    state = inputs["state"]
    node_inputs = normalizers.node_normalizer(torch.cat([state, inputs["static_features"]], dim=1), False)
    change = model(node_inputs, inputs["positions"], inputs["senders"], inputs["receivers"], [0, state.shape[0]])
    return state + normalizers.target_normalizer.inverse(change)


def model_from(weights, heads):
    width, node_inputs = weights["nodes_encoder.0.weight"].shape
    blocks = sum(1 for k in weights if k.endswith(".norm1.scale"))
    return MeshTransformer(node_inputs, weights["decode_module.6.weight"].shape[0], width, blocks, heads,
                           rope="processor_list.0.attention.rope_inv_freq" in weights,
                           global_tokens=weights["global_tokens"].shape[0] if "global_tokens" in weights else 0)


def predict(checkpoint_path, inputs_path, output_path):
    entries = torch.load(checkpoint_path)
    weights = section(entries, "model.")
    with open(os.path.join(os.path.dirname(checkpoint_path), "config.yaml")) as config:
        heads = int(re.search(r"^  heads: (\d+)$", config.read(), re.MULTILINE).group(1))
    model = model_from(weights, heads)
    model.load_state_dict(weights, strict=True)
    inputs = torch.load(inputs_path)
    normalizers = NextStateNormalizers(inputs["state"].shape[1] + inputs["static_features"].shape[1], inputs["edge_features"].shape[1], inputs["state"].shape[1])
    normalizers.load_state_dict(section(entries, "objective."), strict=True)
    with torch.no_grad():
        result = next_state(model.eval(), normalizers, inputs)
    torch.save({"next_state": result.contiguous()}, output_path)


def init(inputs_path, output_path, width, blocks, heads, rope, global_tokens, seed):
    torch.manual_seed(seed)
    inputs = torch.load(inputs_path)
    state_inputs, condition_inputs = inputs["state"].shape[1], inputs["static_features"].shape[1]
    model = MeshTransformer(state_inputs + condition_inputs, state_inputs, width, blocks, heads, bool(rope), global_tokens)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("scale"):
                parameter.uniform_(0.5, 1.5)  # norms away from 1, so the test sees their scales
    save_made(model, inputs, next_state, output_path)


def bench(intra_threads, side, warmup, repeats, training=True):
    torch.set_num_threads(intra_threads)
    torch.manual_seed(0)
    inputs, target = bench_square(side)
    n = inputs["state"].shape[0]
    model = MeshTransformer(11, 2)
    normalizers = NextStateNormalizers(11, 3, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-6)  # as GnnSim's side of the benchmark

    def forward(node_inputs, _):
        return model(node_inputs, inputs["positions"], inputs["senders"], inputs["receivers"], [0, n])
    time_steps(model, normalizers, optimizer, inputs, target, forward, next_state, warmup, repeats, training)


if __name__ == "__main__":
    run_twin(predict, init, bench)
