#!/usr/bin/python3
"""The PyTorch twin of GnnSim's UM2N mesh mover, for the side-by-side benchmark and the golden tests.

UM2N (Zhang et al., "Towards Universal Mesh Movement Networks"; the reference code is
mesh-adaptation/UM2N) written plainly in PyTorch's Python API, as GnnSim's operator is built: a
linear embedding and pre-LN transformer layers over each graph's nodes to 16 global features, a
local extractor summing edge messages to 16 more, a SELU lift to the deformer's width, and deformer
layers of GATv2 attention over the mesh edges and self loops whose mean attention weights move the
nodes (a convex combination of neighbours' positions), dense skips between them, the boundary rule
applied after every layer. State-dict keys are GnnSim's (`model.deformer.0.lin_l.weight`).

Usage:
  um2n_bench.py INTRA_THREADS SIDE WARMUP REPEATS [rollout]
      times one training step (not with "rollout": the coordinate MSE against a random target) and
      one forward pass of the default model (embed 64, hidden 64, 4 deformer layers) on a
      triangulated SIDE x SIDE unit square; one JSON line.
  um2n_bench.py predict CHECKPOINT INPUTS OUTPUT
      loads a GnnSim checkpoint (strict; the transformer's heads, which the weights do not tell, from
      the run's config.yaml beside it) and writes the moved positions for INPUTS as OUTPUT {"positions"}.
  um2n_bench.py init INPUTS OUTPUT EMBED HEADS HIDDEN DEFORMER_LAYERS DEFORMER_HEADS GLOBAL LOCAL SEED
      makes a model in PyTorch, sized by the arguments, and writes its state dict and the positions
      it gives INPUTS to OUTPUT.
INPUTS holds node_inputs [N, 4], positions [N, 2], boundary_rule [N, 6], senders, receivers [E] and
node_offsets [B + 1]. Threads and malloc settings come from the caller.
"""
import json
import math
import os
import re
import resource
import statistics
import time

import torch
from torch import nn
from torch.nn import functional as F

from mgn_bench import run_twin, section, square_mesh_edges


class GraphSelfAttention(nn.Module):
    """Pre-LN transformer layer, full attention within each graph (nodes offsets[g] .. offsets[g + 1] - 1)."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_width = heads, width // heads
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(width, width) for _ in range(4))
        self.linear1, self.linear2 = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def attend(self, x, offsets):
        n = x.shape[0]
        q, k, v = (f(x).view(n, self.heads, self.head_width).transpose(0, 1) for f in (self.q_proj, self.k_proj, self.v_proj))
        parts = []
        for g in range(len(offsets) - 1):
            a, b = offsets[g], offsets[g + 1]
            weights = torch.softmax(q[:, a:b] @ k[:, a:b].transpose(1, 2) / math.sqrt(self.head_width), dim=2)
            parts.append(weights @ v[:, a:b])
        return self.out_proj(torch.cat(parts, dim=1).transpose(0, 1).reshape(n, -1))

    def forward(self, x, offsets):
        x = x + self.attend(self.norm1(x), offsets)
        return x + self.linear2(F.gelu(self.linear1(self.norm2(x))))


class LocalFeatureExtractor(nn.Module):
    def __init__(self, features, output):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(3 + 2 * features, 64), nn.SELU(), nn.Linear(64, 64), nn.SELU(), nn.Linear(64, output - 1))

    def forward(self, coordinates, features, senders, receivers):
        difference = coordinates[senders] - coordinates[receivers]
        length = difference.norm(dim=1, keepdim=True)
        message = torch.cat([F.selu(self.mlp(torch.cat([difference, length, features[receivers], features[senders]], dim=1))), length], dim=1)
        return torch.zeros(coordinates.shape[0], message.shape[1]).index_add_(0, receivers, message)


def segment_softmax(scores, receivers, n):
    highest = torch.full((n, scores.shape[1]), -math.inf).scatter_reduce(0, receivers.view(-1, 1).expand_as(scores), scores, "amax")
    weights = (scores - highest[receivers].detach()).exp()
    return weights / torch.zeros(n, scores.shape[1]).index_add_(0, receivers, weights)[receivers]


class ConvexGraphAttention(nn.Module):
    def __init__(self, inputs, hidden, heads):
        super().__init__()
        self.heads, self.hidden = heads, hidden
        self.lin_l, self.lin_r = nn.Linear(inputs, heads * hidden), nn.Linear(inputs, heads * hidden)
        bound = math.sqrt(6.0 / (heads + hidden))
        self.att = nn.Parameter(torch.empty(1, heads, hidden).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.zeros(hidden))

    def forward(self, z, positions, senders, receivers):
        n = z.shape[0]
        sources = self.lin_l(z).view(n, self.heads, self.hidden)[senders]
        targets = self.lin_r(z).view(n, self.heads, self.hidden)[receivers]
        alpha = segment_softmax((F.leaky_relu(sources + targets, 0.2) * self.att).sum(2), receivers, n)      # [E, K]
        hidden = torch.zeros(n, self.heads, self.hidden).index_add_(0, receivers, sources * alpha.unsqueeze(2)).mean(1) + self.bias
        moved = torch.zeros(n, 2).index_add_(0, receivers, positions[senders] * alpha.mean(1, keepdim=True))
        return moved, hidden


def project(positions, original, rule):
    """Sliding nodes (rule 1) onto their run, clamped to its corners; fixed nodes (2) back in place."""
    freedom, origin, direction, length = rule[:, 0:1], rule[:, 1:3], rule[:, 3:5], rule[:, 5:6]
    along = torch.minimum(((positions - origin) * direction).sum(1, keepdim=True).clamp_min(0), length)
    slid = origin + direction * along
    return torch.where(freedom == 2, original, torch.where(freedom == 1, slid, positions))


class Um2n(nn.Module):
    def __init__(self, node_inputs=4, embed=64, heads=4, transformer_layers=1, global_features=16, local_features=16,
                 hidden=64, deformer_layers=4, deformer_heads=6):
        super().__init__()
        features = node_inputs - 2
        self.embed = nn.Linear(node_inputs, embed)
        self.encoder = nn.ModuleList([GraphSelfAttention(embed, heads) for _ in range(transformer_layers)])
        self.to_global = nn.Linear(embed, global_features)
        self.local = LocalFeatureExtractor(features, local_features)
        self.to_hidden = nn.Linear(features + global_features + local_features, hidden)
        self.deformer = nn.ModuleList([ConvexGraphAttention(2 + (k + 1) * hidden, hidden, deformer_heads) for k in range(deformer_layers)])

    def forward(self, node_inputs, positions, rule, senders, receivers, offsets):
        n = node_inputs.shape[0]
        coordinates, features = node_inputs[:, :2], node_inputs[:, 2:]
        e = self.embed(node_inputs)
        for layer in self.encoder:
            e = layer(e, offsets)
        hidden = [F.selu(self.to_hidden(torch.cat([features, self.to_global(e), self.local(coordinates, features, senders, receivers)], dim=1)))]
        self_loops = torch.arange(n)
        senders, receivers = torch.cat([senders, self_loops]), torch.cat([receivers, self_loops])
        moved = positions
        for layer in self.deformer:
            moved, h = layer(torch.cat([moved, *hidden], dim=1), moved, senders, receivers)
            hidden.append(F.selu(h))
            moved = project(moved, positions, rule)
        return moved


def move(model, inputs):
    offsets = [int(v) for v in inputs["node_offsets"].tolist()]
    return model(inputs["node_inputs"], inputs["positions"], inputs["boundary_rule"], inputs["senders"], inputs["receivers"], offsets)


def sizes(weights):
    """What the state dict tells of the model's sizes (the transformer's heads it does not)."""
    embed, node_inputs = weights["embed.weight"].shape
    deformer_layers = sum(1 for k in weights if re.fullmatch(r"deformer\.\d+\.att", k))
    _, deformer_heads, hidden = weights["deformer.0.att"].shape
    return dict(node_inputs=node_inputs, embed=embed, transformer_layers=sum(1 for k in weights if re.fullmatch(r"encoder\.\d+\.q_proj\.weight", k)),
                global_features=weights["to_global.weight"].shape[0], local_features=weights["local.mlp.4.weight"].shape[0] + 1,
                hidden=hidden, deformer_layers=deformer_layers, deformer_heads=deformer_heads)


def predict(checkpoint_path, inputs_path, output_path):
    weights = section(torch.load(checkpoint_path), "model.")
    with open(os.path.join(os.path.dirname(checkpoint_path), "config.yaml")) as config:
        heads = int(re.search(r"^  heads: (\d+)", config.read(), re.MULTILINE).group(1))
    model = Um2n(heads=heads, **sizes(weights))
    model.load_state_dict(weights, strict=True)
    with torch.no_grad():
        result = move(model.eval(), torch.load(inputs_path))
    torch.save({"positions": result.contiguous()}, output_path)


def init(inputs_path, output_path, embed, heads, hidden, deformer_layers, deformer_heads, global_features, local_features, seed):
    torch.manual_seed(seed)
    inputs = torch.load(inputs_path)
    model = Um2n(inputs["node_inputs"].shape[1], embed, heads, 1, global_features, local_features, hidden, deformer_layers, deformer_heads)
    with torch.no_grad():
        result = move(model.eval(), inputs)
    entries = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    entries["positions"] = result.contiguous()
    torch.save(entries, output_path)


def bench_square(side):
    """A side x side unit square: coordinates, a monitor peaked inside, the boundary mask and rule (sides slide, corners stay)."""
    n = side * side
    line = torch.linspace(0, 1, side)
    positions = torch.stack([line.repeat(side), line.repeat_interleave(side)], dim=1)
    x, y = positions[:, 0:1], positions[:, 1:2]
    monitor = 1 + 5 * torch.exp(-((x - 0.4) ** 2 + (y - 0.6) ** 2) / 0.02)
    on_x, on_y = (x == 0) | (x == 1), (y == 0) | (y == 1)
    rule = torch.zeros(n, 6)
    rule[:, 0:1] = torch.where(on_x & on_y, 2.0, torch.where(on_x | on_y, 1.0, 0.0))
    # Bottom and top slide along x from their left corner; left and right along y from their bottom corner.
    rule[:, 1:3] = torch.where(on_y, torch.cat([torch.zeros_like(x), y], 1), torch.cat([x, torch.zeros_like(y)], 1))
    rule[:, 3:5] = torch.where(on_y, torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]]))
    rule[:, 5] = 1
    senders, receivers = square_mesh_edges(side)
    return {"node_inputs": torch.cat([positions, monitor / monitor.max(), (on_x | on_y).float()], dim=1), "positions": positions,
            "boundary_rule": rule, "senders": senders, "receivers": receivers, "node_offsets": torch.tensor([0, n])}


def bench(intra_threads, side, warmup, repeats, training=True):
    torch.set_num_threads(intra_threads)
    torch.manual_seed(0)
    inputs = bench_square(side)
    target = inputs["positions"] + 0.01 * torch.randn_like(inputs["positions"])
    model = Um2n()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train, forward = [], []
    for i in range(warmup + repeats if training else 0):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = ((move(model, inputs) - target) ** 2).mean()
        loss.backward()
        optimizer.step()
        if i >= warmup:
            train.append((time.perf_counter() - start) * 1e3)
    model.eval()
    with torch.no_grad():
        for i in range(warmup + repeats):
            start = time.perf_counter()
            move(model, inputs).numpy()
            if i >= warmup:
                forward.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"nodes": side * side, "edges": int(inputs["senders"].numel()), "train_step_ms": statistics.median(train) if train else None,
                      "rollout_step_ms": statistics.median(forward), "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    run_twin(predict, init, bench)
