#!/usr/bin/python3
"""The PyTorch side of `gnnsim bench mgn`: MeshGraphNet (15 blocks, 128 wide, 2-hidden-layer MLPs
with LayerNorm, sum aggregation, residuals) written the way a PyTorch user writes it, on the same
triangulated unit square, timed for one training step (forward, loss, backward, Adam) and one
rollout step. Prints one JSON line. Threads and malloc settings come from the caller.

Usage: mgn_bench.py INTRA_THREADS SIDE WARMUP REPEATS
"""
import json
import resource
import statistics
import sys
import time

import torch
from torch import nn


def mlp(inputs, latent, outputs, layer_norm=True):
    layers = [nn.Linear(inputs, latent), nn.ReLU(), nn.Linear(latent, latent), nn.ReLU(), nn.Linear(latent, outputs)]
    if layer_norm:
        layers.append(nn.LayerNorm(outputs))
    return nn.Sequential(*layers)


class Normalizer(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.register_buffer("sum", torch.zeros(size, dtype=torch.float64))
        self.register_buffer("sum_squared", torch.zeros(size, dtype=torch.float64))
        self.register_buffer("count", torch.zeros(1, dtype=torch.float64))

    def forward(self, x, accumulate):
        if accumulate:
            with torch.no_grad():
                wide = x.double()
                self.sum += wide.sum(0)
                self.sum_squared += (wide * wide).sum(0)
                self.count += x.shape[0]
        count = self.count.clamp(min=1)
        mean = self.sum / count
        std = (self.sum_squared / count - mean * mean).clamp(min=0).sqrt().clamp(min=1e-8)
        return (x - mean.float()) / std.float()


class Block(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.edge_mlp = mlp(3 * latent, latent, latent)
        self.node_mlp = mlp(2 * latent, latent, latent)

    def forward(self, nodes, edges, senders, receivers):
        new_edges = self.edge_mlp(torch.cat([nodes[senders], nodes[receivers], edges], dim=1))
        received = torch.zeros_like(nodes).index_add_(0, receivers, new_edges)
        new_nodes = self.node_mlp(torch.cat([nodes, received], dim=1))
        return nodes + new_nodes, edges + new_edges


class MeshGraphNet(nn.Module):
    def __init__(self, node_inputs, edge_inputs, outputs, latent=128, steps=15):
        super().__init__()
        self.node_normalizer = Normalizer(node_inputs)
        self.edge_normalizer = Normalizer(edge_inputs)
        self.target_normalizer = Normalizer(outputs)
        self.node_encoder = mlp(node_inputs, latent, latent)
        self.edge_encoder = mlp(edge_inputs, latent, latent)
        self.blocks = nn.ModuleList([Block(latent) for _ in range(steps)])
        self.decoder = mlp(latent, latent, outputs, layer_norm=False)

    def forward(self, node_inputs, edge_inputs, senders, receivers, accumulate):
        nodes = self.node_encoder(self.node_normalizer(node_inputs, accumulate))
        edges = self.edge_encoder(self.edge_normalizer(edge_inputs, accumulate))
        for block in self.blocks:
            nodes, edges = block(nodes, edges, senders, receivers)
        return self.decoder(nodes)


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


def main():
    intra_threads, side, warmup, repeats = (int(v) for v in sys.argv[1:5])
    torch.set_num_threads(intra_threads)
    torch.manual_seed(0)
    n = side * side
    coordinates = torch.linspace(0, 1, side)
    positions = torch.stack([coordinates.repeat(side), coordinates.repeat_interleave(side)], dim=1)
    senders, receivers = square_mesh_edges(side)
    relative = positions[senders] - positions[receivers]
    edge_inputs = torch.cat([relative, relative.norm(dim=1, keepdim=True)], dim=1)
    one_hot = torch.nn.functional.one_hot(torch.zeros(n, dtype=torch.long), 9).float()
    state = torch.rand(n, 2)
    node_inputs = torch.cat([state, one_hot], dim=1)
    target = torch.randn(n, 2)

    model = MeshGraphNet(11, 3, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    train = []
    for i in range(warmup + repeats):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        prediction = model(node_inputs, edge_inputs, senders, receivers, accumulate=True)
        loss = ((prediction - model.target_normalizer(target, True)) ** 2).sum(dim=1).mean()
        loss.backward()
        optimizer.step()
        if i >= warmup:
            train.append((time.perf_counter() - start) * 1e3)
    model.eval()
    rollout = []
    with torch.no_grad():
        for i in range(warmup + repeats):
            start = time.perf_counter()
            change = model(node_inputs, edge_inputs, senders, receivers, accumulate=False)
            count = model.target_normalizer.count.clamp(min=1)
            mean = model.target_normalizer.sum / count
            std = (model.target_normalizer.sum_squared / count - mean * mean).clamp(min=0).sqrt().clamp(min=1e-8)
            (state + change * std.float() + mean.float()).numpy()
            if i >= warmup:
                rollout.append((time.perf_counter() - start) * 1e3)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"nodes": n, "edges": int(senders.numel()), "train_step_ms": statistics.median(train),
                      "rollout_step_ms": statistics.median(rollout), "peak_rss_mb": peak_mb}))


if __name__ == "__main__":
    main()
