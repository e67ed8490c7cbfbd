#!/usr/bin/python3
"""The PyTorch twin of GnnSim's MeshGraphNet, for `gnnsim bench mgn` and the golden tests.

MeshGraphNet (15 blocks, 128 wide, MLPs with 2 hidden layers and LayerNorm, sum aggregation,
residuals) written the way a PyTorch user writes it. As in GnnSim, the operator is a pure module and
the three normalizers (node inputs, edge inputs, targets) belong to the next-state objective; the
state-dict keys are GnnSim's (`model.blocks.0.edge_mlp.0.weight`, `objective.node_normalizer.sum`).

Usage:
  mgn_bench.py INTRA_THREADS SIDE WARMUP REPEATS [rollout]
      times one training step (not with "rollout") and one rollout step on a triangulated SIDE x SIDE
      square; one JSON line.
  mgn_bench.py predict CHECKPOINT INPUTS OUTPUT
      loads a GnnSim checkpoint (strict) and writes the next state for INPUTS (state, static_features,
      edge_features, senders, receivers) as OUTPUT {"next_state"}.
  mgn_bench.py init INPUTS OUTPUT LATENT STEPS HIDDEN_LAYERS SEED
      makes a model and normalizer statistics in PyTorch, sized for INPUTS, and writes their state
      dict and the next state it predicts for INPUTS to OUTPUT.
Threads and malloc settings come from the caller. GNNSIM_TWIN_DEVICE=cuda times the benchmark on the GPU
(bench/gpu-check.sh does, beside `gnnsim bench mgn --device cuda`); the JSON line then adds peak_gpu_mb.
"""
import json
import os
import resource
import statistics
import sys
import time

import torch
from torch import nn

DEVICE = torch.device(os.environ.get("GNNSIM_TWIN_DEVICE", "cpu"))


def synchronize():
    """A GPU step is done when its queue is."""
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def mlp(inputs, latent, outputs, hidden_layers=2, layer_norm=True):
    widths = [inputs] + [latent] * hidden_layers + [outputs]
    layers = []
    for i in range(len(widths) - 1):
        if i > 0:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(widths[i], widths[i + 1]))
    if layer_norm:
        layers.append(nn.LayerNorm(outputs))
    return nn.Sequential(*layers)


class Normalizer(nn.Module):
    """Online mean and std over the first million batches; a feature constant in training (std at most
    1e-6 of its magnitude, or 1e-8) is centred but not scaled, as GnnSim's OnlineNormalizer does."""

    def __init__(self, size, max_accumulations=1_000_000):
        super().__init__()
        self.max_accumulations = max_accumulations
        self.register_buffer("sum", torch.zeros(size, dtype=torch.float64))
        self.register_buffer("sum_squared", torch.zeros(size, dtype=torch.float64))
        self.register_buffer("count", torch.zeros(1, dtype=torch.float64))
        self.register_buffer("accumulations", torch.zeros(1, dtype=torch.float64))

    def statistics(self):
        count = self.count.clamp(min=1)
        mean = self.sum / count
        std = (self.sum_squared / count - mean * mean).clamp(min=0).sqrt()
        std = torch.where(std > (mean.abs() * 1e-6).clamp(min=1e-8), std, torch.ones_like(std))
        return mean.float(), std.float()

    def forward(self, x, accumulate):
        if accumulate and self.accumulations.item() < self.max_accumulations:
            with torch.no_grad():
                wide = x.double()
                self.sum += wide.sum(0)
                self.sum_squared += (wide * wide).sum(0)
                self.count += x.shape[0]
                self.accumulations += 1
        mean, std = self.statistics()
        return (x - mean) / std

    def inverse(self, x):
        mean, std = self.statistics()
        return x * std + mean


class NextStateNormalizers(nn.Module):
    def __init__(self, node_inputs, edge_inputs, outputs):
        super().__init__()
        self.node_normalizer = Normalizer(node_inputs)
        self.edge_normalizer = Normalizer(edge_inputs)
        self.target_normalizer = Normalizer(outputs)


class Block(nn.Module):
    def __init__(self, latent, hidden_layers):
        super().__init__()
        self.edge_mlp = mlp(3 * latent, latent, latent, hidden_layers)
        self.node_mlp = mlp(2 * latent, latent, latent, hidden_layers)

    def forward(self, nodes, edges, senders, receivers):
        new_edges = self.edge_mlp(torch.cat([nodes[senders], nodes[receivers], edges], dim=1))
        received = torch.zeros_like(nodes).index_add_(0, receivers, new_edges)
        new_nodes = self.node_mlp(torch.cat([nodes, received], dim=1))
        return nodes + new_nodes, edges + new_edges


class MeshGraphNet(nn.Module):
    def __init__(self, node_inputs, edge_inputs, outputs, latent=128, steps=15, hidden_layers=2):
        super().__init__()
        self.node_encoder = mlp(node_inputs, latent, latent, hidden_layers)
        self.edge_encoder = mlp(edge_inputs, latent, latent, hidden_layers)
        self.blocks = nn.ModuleList([Block(latent, hidden_layers) for _ in range(steps)])
        self.decoder = mlp(latent, latent, outputs, hidden_layers, layer_norm=False)

    def forward(self, node_inputs, edge_inputs, senders, receivers):
        nodes = self.node_encoder(node_inputs)
        edges = self.edge_encoder(edge_inputs)
        for block in self.blocks:
            nodes, edges = block(nodes, edges, senders, receivers)
        return self.decoder(nodes)


def next_state(model, normalizers, inputs):
    state = inputs["state"]
    node_inputs = normalizers.node_normalizer(torch.cat([state, inputs["static_features"]], dim=1), False)
    edge_inputs = normalizers.edge_normalizer(inputs["edge_features"], False)
    change = model(node_inputs, edge_inputs, inputs["senders"], inputs["receivers"])
    return state + normalizers.target_normalizer.inverse(change)


def section(entries, prefix):
    return {k[len(prefix):]: v for k, v in entries.items() if k.startswith(prefix)}


def predict(checkpoint_path, inputs_path, output_path):
    entries = torch.load(checkpoint_path)
    weights = section(entries, "model.")
    latent, node_inputs = weights["node_encoder.0.weight"].shape
    edge_inputs = weights["edge_encoder.0.weight"].shape[1]
    hidden_layers = sum(1 for k in weights if k.startswith("node_encoder.") and k.endswith(".weight") and weights[k].dim() == 2) - 1
    steps = sum(1 for k in weights if k.startswith("blocks.") and k.endswith(".edge_mlp.0.weight"))
    outputs = weights[f"decoder.{2 * hidden_layers}.weight"].shape[0]
    model = MeshGraphNet(node_inputs, edge_inputs, outputs, latent, steps, hidden_layers)
    model.load_state_dict(weights, strict=True)
    normalizers = NextStateNormalizers(node_inputs, edge_inputs, outputs)
    normalizers.load_state_dict(section(entries, "objective."), strict=True)
    with torch.no_grad():
        result = next_state(model.eval(), normalizers, torch.load(inputs_path))
    torch.save({"next_state": result.contiguous()}, output_path)


def init(inputs_path, output_path, latent, steps, hidden_layers, seed):
    torch.manual_seed(seed)
    inputs = torch.load(inputs_path)
    node_inputs = inputs["state"].shape[1] + inputs["static_features"].shape[1]
    edge_inputs, outputs = inputs["edge_features"].shape[1], inputs["state"].shape[1]
    model = MeshGraphNet(node_inputs, edge_inputs, outputs, latent, steps, hidden_layers)
    save_made(model, inputs, next_state, output_path)


def save_made(model, inputs, step, output_path):
    """The init modes' end: normalizer statistics from a few batches around the inputs and of a
    target-like field, the next state the model predicts for the inputs (step: the twin's next_state),
    and both state dicts, keyed as GnnSim keys them, saved with it."""
    state_inputs = inputs["state"].shape[1]
    normalizers = NextStateNormalizers(state_inputs + inputs["static_features"].shape[1], inputs["edge_features"].shape[1], state_inputs)
    for _ in range(3):
        normalizers.node_normalizer(torch.cat([inputs["state"], inputs["static_features"]], dim=1) * (1 + 0.1 * torch.randn(1)), True)
        normalizers.edge_normalizer(inputs["edge_features"] + 0.01 * torch.randn_like(inputs["edge_features"]), True)
        normalizers.target_normalizer(0.05 * torch.randn_like(inputs["state"]) + 0.01, True)
    with torch.no_grad():
        result = step(model.eval(), normalizers, inputs)
    entries = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    entries.update({f"objective.{k}": v.contiguous() for k, v in normalizers.state_dict().items()})
    entries["next_state"] = result.contiguous()
    torch.save(entries, output_path)


def run_twin(predict, init, bench):
    """A twin's command line: predict CHECKPOINT INPUTS OUTPUT, init INPUTS OUTPUT INTS..., or the benchmark's INTS... [rollout]."""
    if sys.argv[1] == "predict":
        predict(*sys.argv[2:5])
    elif sys.argv[1] == "init":
        init(sys.argv[2], sys.argv[3], *(int(v) for v in sys.argv[4:]))
    else:
        bench(*(int(v) for v in sys.argv[1:5]), training=sys.argv[5:6] != ["rollout"])


def square_mesh_edges(side):
    """Both directions of every side of a side x side node grid cut into triangles along the lower-left to upper-right diagonal."""
    pairs = set()
    for j in range(side - 1):
        for i in range(side - 1):
            k = j * side + i
            for a, b, c in ((k, k + 1, k + side + 1), (k, k + side + 1, k + side)):
                for s, r in ((a, b), (b, c), (c, a)):
                    pairs.add((min(s, r), max(s, r)))
    pairs = sorted(pairs)
    senders = [s for s, r in pairs] + [r for s, r in pairs]
    receivers = [r for s, r in pairs] + [s for s, r in pairs]
    return torch.tensor(senders), torch.tensor(receivers)


def bench_square(side):
    """The benchmark's inputs on a side x side square: positions, both-way mesh edges, MeshGraphNets'
    edge features, NORMAL one-hot types, a random state and target."""
    n = side * side
    coordinates = torch.linspace(0, 1, side)
    positions = torch.stack([coordinates.repeat(side), coordinates.repeat_interleave(side)], dim=1)
    senders, receivers = square_mesh_edges(side)
    relative = positions[senders] - positions[receivers]
    edge_inputs = torch.cat([relative, relative.norm(dim=1, keepdim=True)], dim=1)
    one_hot = torch.nn.functional.one_hot(torch.zeros(n, dtype=torch.long), 9).float()
    return {"state": torch.rand(n, 2), "static_features": one_hot, "edge_features": edge_inputs, "positions": positions,
            "time": torch.full((1,), 0.5), "senders": senders, "receivers": receivers}, torch.randn(n, 2)


def time_steps(model, normalizers, optimizer, inputs, target, forward, step, warmup, repeats, training=True):
    """Median training step (normalizers accumulating, MSE on the normalized target, backward, step;
    null without training) and rollout step (step: the twin's next_state) in ms, after the warm-up;
    prints the benchmark's JSON line."""
    train = []
    for i in range(warmup + repeats if training else 0):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        node_inputs = normalizers.node_normalizer(torch.cat([inputs["state"], inputs["static_features"]], dim=1), True)
        edge_inputs = normalizers.edge_normalizer(inputs["edge_features"], True)
        prediction = forward(node_inputs, edge_inputs)
        loss = ((prediction - normalizers.target_normalizer(target, True)) ** 2).sum(dim=1).mean()
        loss.backward()
        optimizer.step()
        synchronize()
        if i >= warmup:
            train.append((time.perf_counter() - start) * 1e3)
    model.eval()
    rollout = []
    with torch.no_grad():
        for i in range(warmup + repeats):
            start = time.perf_counter()
            step(model, normalizers, inputs).cpu().numpy()
            if i >= warmup:
                rollout.append((time.perf_counter() - start) * 1e3)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"nodes": inputs["state"].shape[0], "edges": int(inputs["senders"].numel()),
               "train_step_ms": statistics.median(train) if train else None,
               "rollout_step_ms": statistics.median(rollout), "peak_rss_mb": peak_mb, "device": str(DEVICE)}
    if DEVICE.type == "cuda":
        figures["peak_gpu_mb"] = torch.cuda.max_memory_allocated(DEVICE) / 2**20
    print(json.dumps(figures))


def bench(intra_threads, side, warmup, repeats, training=True):
    torch.set_num_threads(intra_threads)
    torch.manual_seed(0)
    inputs, target = bench_square(side)
    inputs, target = {k: v.to(DEVICE) for k, v in inputs.items()}, target.to(DEVICE)
    model = MeshGraphNet(11, 3, 2).to(DEVICE)
    normalizers = NextStateNormalizers(11, 3, 2).to(DEVICE)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

    def forward(node_inputs, edge_inputs):
        return model(node_inputs, edge_inputs, inputs["senders"], inputs["receivers"])
    time_steps(model, normalizers, optimizer, inputs, target, forward, next_state, warmup, repeats, training)


if __name__ == "__main__":
    run_twin(predict, init, bench)
