#!/usr/bin/python3
"""The PyTorch twin of GnnSim's PhysGTO, for the side-by-side benchmark and the golden tests.

PhysGTO (Zhu et al.; the reference code is pengwei07/PhysGTO) written plainly in PyTorch's Python API,
as GnnSim's operator is built: the node inputs' first columns are the state and the rest the node
conditions; positions are min-max scaled per graph and Fourier-encoded; the mesh edges are kept
once, sender the larger index; each block runs flux message passing, projection attention (softmax
over each graph's own nodes) and a feed-forward layer; the decoder's output is gated by SiLU(alpha).
The normalizers are the next-state objective's, shared with mgn_bench.py. State-dict keys are
GnnSim's (`model.blocks.0.gnn.f_edge.0.weight`, `objective.node_normalizer.sum`).

Usage:
  physgto_bench.py INTRA_THREADS SIDE WARMUP REPEATS [rollout]
      times one training step (not with "rollout") and one rollout step on a triangulated SIDE x SIDE
      square; one JSON line.
  physgto_bench.py predict CHECKPOINT INPUTS OUTPUT
      loads a GnnSim checkpoint (strict) and writes the next state for INPUTS (state, static_features,
      edge_features, positions, time, senders, receivers) as OUTPUT {"next_state"}.
  physgto_bench.py init INPUTS OUTPUT WIDTH BLOCKS HEADS TOKENS FREQUENCIES HIDDEN SEED
      makes a model and normalizer statistics in PyTorch, sized for INPUTS, and writes their state
      dict and the next state it predicts for INPUTS to OUTPUT.
Threads and malloc settings come from the caller.
"""
import math

import torch
from torch import nn

from mgn_bench import NextStateNormalizers, bench_square, run_twin, save_made, section, time_steps


def mlp(inputs, hidden, outputs, hidden_layers, layer_norm, activation):
    widths = [inputs] + [hidden] * hidden_layers + [outputs]
    layers = []
    for i in range(len(widths) - 1):
        if i > 0:
            layers.append(activation())
        layers.append(nn.Linear(widths[i], widths[i + 1]))
    if layer_norm:
        layers.append(nn.LayerNorm(outputs))
    return nn.Sequential(*layers)


def scatter_mean(values, index, count):
    sums = torch.zeros(count, values.shape[1], dtype=values.dtype).index_add_(0, index, values)
    edges = torch.zeros(count, 1, dtype=values.dtype).index_add_(0, index, torch.ones(index.shape[0], 1, dtype=values.dtype))
    return sums / edges.clamp(min=1)


class FluxMessagePassing(nn.Module):
    def __init__(self, node_width, edge_width, output_width, hidden):
        super().__init__()
        self.f_edge = mlp(2 * node_width + edge_width, hidden, edge_width, 1, True, nn.GELU)
        self.f_node = mlp(node_width + edge_width, hidden, output_width, 1, True, nn.GELU)

    def forward(self, nodes, edges, senders, receivers):
        messages = self.f_edge(torch.cat([nodes[senders], nodes[receivers], edges], dim=1))
        out_of_senders, into_receivers = messages.chunk(2, dim=-1)
        n = nodes.shape[0]
        means = torch.cat([scatter_mean(out_of_senders, senders, n), scatter_mean(into_receivers, receivers, n)], dim=1)
        return self.f_node(torch.cat([nodes, means], dim=1)), messages


class ProjectionAttention(nn.Module):
    def __init__(self, width, heads, tokens):
        super().__init__()
        self.heads, self.head_width = heads, width // heads
        self.Q = nn.Parameter(torch.empty(heads, tokens, self.head_width))
        nn.init.xavier_uniform_(self.Q)
        self.kv_1 = nn.Linear(width, width)
        self.qkv_2 = nn.Linear(self.head_width, 2 * self.head_width, bias=False)
        self.q_3 = nn.Linear(width, width)
        self.proj = nn.Linear(width, width)

    def forward(self, x, offsets):
        keys, queries = self.kv_1(x), self.q_3(x)
        scale = self.head_width ** -0.5
        parts = []
        for start, end in zip(offsets[:-1], offsets[1:]):
            n = end - start
            k = keys[start:end].reshape(n, self.heads, self.head_width).transpose(0, 1)      # [H, n, d]
            tokens = torch.softmax(self.Q @ k.transpose(1, 2) * scale, dim=-1) @ k             # [H, M, d]
            token_keys, token_values = self.qkv_2(tokens).chunk(2, dim=-1)
            q = queries[start:end].reshape(n, self.heads, self.head_width).transpose(0, 1)   # [H, n, d]
            read = torch.softmax(q @ token_keys.transpose(1, 2) * scale, dim=-1) @ token_values
            parts.append(read.transpose(0, 1).reshape(n, self.heads * self.head_width))
        return self.proj(torch.cat(parts))


class Block(nn.Module):
    def __init__(self, width, position_width, hidden, heads, tokens):
        super().__init__()
        self.gnn = FluxMessagePassing(2 * width + position_width, width, width, hidden)
        self.ln1 = nn.LayerNorm(width)
        self.ln2 = nn.LayerNorm(width)
        self.attention = ProjectionAttention(width, heads, tokens)
        self.ffn = mlp(width, width, width, 1, False, nn.SiLU)

    def forward(self, nodes, edges, graph):
        v, e = self.gnn(torch.cat([nodes, graph["encoding"], graph["conditions"]], dim=1), edges, graph["senders"], graph["receivers"])
        edges = edges + e
        nodes = nodes + v
        nodes = nodes + self.attention(self.ln1(nodes), graph["offsets"])
        nodes = nodes + self.ffn(self.ln2(nodes))
        return nodes, edges


class PhysGTO(nn.Module):
    def __init__(self, state_inputs, condition_inputs, outputs, width=128, blocks=4, heads=4, tokens=128, frequencies=7,
                 hidden=256, use_time=True, dimension=2):
        super().__init__()
        self.state_inputs = state_inputs
        position_width = dimension * (2 * frequencies + 1)
        self.fv1 = mlp(state_inputs, hidden, width, 2, False, nn.SiLU)
        self.fv_type = mlp(condition_inputs, hidden, width, 2, False, nn.SiLU)
        self.enc_t = mlp(1, hidden, width, 2, False, nn.SiLU) if use_time else None
        self.fv2 = mlp(2 * width, hidden, width, 2, False, nn.SiLU)
        self.fe = mlp(2 * dimension + 1, hidden, width, 1, False, nn.SiLU)
        self.blocks = nn.ModuleList([Block(width, position_width, hidden, heads, tokens) for _ in range(blocks)])
        self.state_out = nn.Sequential(nn.Linear(2 * width, width), nn.LayerNorm(width), nn.SiLU(),
                                       nn.Linear(width, width), nn.SiLU(), nn.Linear(width, outputs))
        self.alpha = nn.Parameter(torch.tensor(1 / 30))
        self.register_buffer("frequencies", torch.tensor([2.0 ** i * math.pi for i in range(frequencies)]))

    def forward(self, node_inputs, positions, t, senders, receivers, offsets, batch):
        state, node_conditions = node_inputs[:, :self.state_inputs], node_inputs[:, self.state_inputs:]
        conditions = self.fv_type(node_conditions)
        if self.enc_t is not None:
            conditions = conditions + self.enc_t(t)[batch]
        nodes = self.fv2(torch.cat([self.fv1(state), conditions], dim=1))
        scaled = []
        for start, end in zip(offsets[:-1], offsets[1:]):
            p = positions[start:end]
            low = p.amin(0, keepdim=True)
            scaled.append((p - low) / (p.amax(0, keepdim=True) - low).clamp(min=1e-12))
        x = torch.cat(scaled)
        once = senders > receivers  # each mesh edge once, sender the larger index
        senders, receivers = senders[once], receivers[once]
        offset = x[receivers] - x[senders]
        edges = self.fe(torch.cat([offset, -offset, offset.norm(dim=1, keepdim=True)], dim=1))
        angles = x.unsqueeze(2) * self.frequencies.view(1, 1, -1)
        encoding = torch.cat([torch.cat([angles.cos(), angles.sin()], dim=2).reshape(x.shape[0], -1), x], dim=1)
        graph = {"encoding": encoding, "conditions": conditions, "senders": senders, "receivers": receivers, "offsets": offsets}
        for block in self.blocks:
            nodes, edges = block(nodes, edges, graph)
        return self.state_out(torch.cat([nodes, conditions], dim=1)) * nn.functional.silu(self.alpha)


def next_state(model, normalizers, inputs):
    state = inputs["state"]
    n = state.shape[0]
    node_inputs = normalizers.node_normalizer(torch.cat([state, inputs["static_features"]], dim=1), False)
    change = model(node_inputs, inputs["positions"], inputs["time"].view(1, 1), inputs["senders"], inputs["receivers"],
                   [0, n], torch.zeros(n, dtype=torch.long))
    return state + normalizers.target_normalizer.inverse(change)


def model_from(weights):
    hidden, state_inputs = weights["fv1.0.weight"].shape
    heads, tokens, _ = weights["blocks.0.attention.Q"].shape
    return PhysGTO(state_inputs, weights["fv_type.0.weight"].shape[1], weights["state_out.5.weight"].shape[0],
                   width=weights["fv1.4.weight"].shape[0], blocks=sum(1 for k in weights if k.endswith(".ln1.weight")),
                   heads=heads, tokens=tokens, frequencies=weights["frequencies"].shape[0], hidden=hidden,
                   use_time="enc_t.0.weight" in weights)


def predict(checkpoint_path, inputs_path, output_path):
    entries = torch.load(checkpoint_path)
    weights = section(entries, "model.")
    model = model_from(weights)
    model.load_state_dict(weights, strict=True)
    inputs = torch.load(inputs_path)
    node_inputs = inputs["state"].shape[1] + inputs["static_features"].shape[1]
    normalizers = NextStateNormalizers(node_inputs, inputs["edge_features"].shape[1], inputs["state"].shape[1])
    normalizers.load_state_dict(section(entries, "objective."), strict=True)
    with torch.no_grad():
        result = next_state(model.eval(), normalizers, inputs)
    torch.save({"next_state": result.contiguous()}, output_path)


def init(inputs_path, output_path, width, blocks, heads, tokens, frequencies, hidden, seed):
    torch.manual_seed(seed)
    inputs = torch.load(inputs_path)
    state_inputs, condition_inputs = inputs["state"].shape[1], inputs["static_features"].shape[1]
    model = PhysGTO(state_inputs, condition_inputs, state_inputs, width, blocks, heads, tokens, frequencies, hidden)
    with torch.no_grad():
        model.alpha.fill_(0.7)  # a gate far from its start, so the test sees the decoder's output at full strength
    save_made(model, inputs, next_state, output_path)


def bench(intra_threads, side, warmup, repeats, training=True):
    torch.set_num_threads(intra_threads)
    torch.manual_seed(0)
    inputs, target = bench_square(side)
    n = inputs["state"].shape[0]
    batch = torch.zeros(n, dtype=torch.long)
    model = PhysGTO(2, 9, 2)
    normalizers = NextStateNormalizers(11, 3, 2)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-6)

    def forward(node_inputs, _):
        return model(node_inputs, inputs["positions"], inputs["time"].view(1, 1), inputs["senders"], inputs["receivers"], [0, n], batch)
    time_steps(model, normalizers, optimizer, inputs, target, forward, next_state, warmup, repeats, training)


if __name__ == "__main__":
    run_twin(predict, init, bench)
