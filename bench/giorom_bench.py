#!/usr/bin/python3
"""The PyTorch twin of GnnSim's GIOROM, for the golden tests.

GIOROM written the way a PyTorch user writes it: GNS's step inputs (gns_bench.py), the type
embedding and encoders, MeshGraphNets blocks on the radius graph (mgn_bench.py), a kernel integral
onto a latent grid around the particles (the grid and its pairs found here by brute force), a
transformer over the grid (um2n_bench.py's layer), the integral back, more blocks, the decoder,
semi-implicit Euler; and the neural field that reconstructs a dense cloud from a sparse one. Keys
are GnnSim's (`model.to_grid.kernel.0.weight`, `model.neural_field.weight.0.weight`).

Usage:
  giorom_bench.py predict CHECKPOINT INPUTS OUTPUT SIDE GRID_RADIUS
      loads a GnnSim checkpoint (strict) and writes, for INPUTS (gns_bench.py's, plus sparse_reference,
      sparse_current, dense_reference and field_radius), the next positions and the reconstructed
      dense positions as OUTPUT {"next_positions", "dense"}.
  giorom_bench.py init INPUTS OUTPUT LATENT LAYERS HIDDEN_LAYERS EMBEDDING SIDE GRID_WIDTH KERNEL_HIDDEN TRANSFORMER_LAYERS HEADS FIELD_HIDDEN GRID_RADIUS_x100 SEED
      makes weights and statistics in PyTorch and writes them with the outputs they give to OUTPUT.
"""
import sys

import torch
from torch import nn

from gns_bench import PARTICLE_TYPES, Statistics, integrate, step_inputs
from mgn_bench import Block, mlp, section
from um2n_bench import GraphSelfAttention, segment_softmax


def gelu_mlp(inputs, hidden, outputs):
    return nn.Sequential(nn.Linear(inputs, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, outputs))


class KernelIntegral(nn.Module):
    """v(x) = mean over the sources y near x of kernel((y - x) / r) * W f(y); 0 where there is none."""

    def __init__(self, dimension, inputs, outputs, hidden):
        super().__init__()
        self.kernel = gelu_mlp(dimension, hidden, outputs)
        self.value = nn.Linear(inputs, outputs)

    def forward(self, offsets, features, sources, targets, count):
        messages = self.kernel(offsets) * self.value(features)[sources]
        total = torch.zeros(count, messages.shape[1]).index_add_(0, targets, messages)
        pairs = torch.zeros(count, 1).index_add_(0, targets, torch.ones(len(targets), 1))
        return total / pairs.clamp(min=1)


class NeuralField(nn.Module):
    def __init__(self, dimension, hidden):
        super().__init__()
        self.weight = gelu_mlp(dimension, hidden, 1)
        self.correction = gelu_mlp(2 * dimension, hidden, dimension)

    def forward(self, offsets, displacements, queries, count):
        w = segment_softmax(self.weight(offsets), queries, count)
        interpolated = torch.zeros(count, offsets.shape[1]).index_add_(0, queries, w * displacements)
        relative = displacements - interpolated[queries]
        return interpolated + torch.zeros(count, offsets.shape[1]).index_add_(0, queries, w * self.correction(torch.cat([offsets, relative], dim=1)))


class Giorom(nn.Module):
    def __init__(self, state_inputs, dimension, latent, layers, hidden_layers, embedding, grid_width, kernel_hidden, transformer_layers, heads, field_hidden):
        super().__init__()
        self.particle_type_embedding = nn.Embedding(PARTICLE_TYPES, embedding)
        self.node_encoder = mlp(state_inputs + embedding, latent, latent, hidden_layers)
        self.edge_encoder = mlp(dimension + 1, latent, latent, hidden_layers)
        self.processor_in = nn.ModuleList([Block(latent, hidden_layers) for _ in range(layers)])
        self.to_grid = KernelIntegral(dimension, latent, grid_width, kernel_hidden)
        self.grid_place = nn.Linear(dimension, grid_width)
        self.transformer = nn.ModuleList([GraphSelfAttention(grid_width, heads) for _ in range(transformer_layers)])
        self.from_grid = KernelIntegral(dimension, grid_width, latent, kernel_hidden)
        self.processor_out = nn.ModuleList([Block(latent, hidden_layers) for _ in range(layers)])
        self.decoder = mlp(latent, latent, dimension, hidden_layers, layer_norm=False)
        self.neural_field = NeuralField(dimension, field_hidden)


def latent_grid(positions, side, radius_cells):
    """One graph's grid: side^D nodes on the cube of the particles' larger extent, centred on their box (x fastest), and the pairs within the radius."""
    p = positions.double()
    low, high = p.min(0).values, p.max(0).values
    extent = max(float((high - low).max()), 1e-6)
    spacing = extent / (side - 1)
    d = p.shape[1]
    # Node k's index along axis a is (k // side^a) % side: axis 0 varies fastest.
    index = torch.stack([(torch.arange(side ** d) // side ** a) % side for a in range(d)], dim=1)
    nodes = (low + high) / 2 - extent / 2 + index.double() * spacing
    radius = radius_cells * spacing
    squared = ((p[:, None, :] - nodes[None, :, :]) ** 2).sum(-1)
    particles, grid_nodes = torch.nonzero(squared <= radius * radius, as_tuple=True)
    unit = index.float() / (side - 1)
    return nodes.float(), unit, torch.tensor(radius, dtype=torch.float32), particles, grid_nodes


def next_positions(model, stats, inputs, side, grid_radius):
    state, edges, senders, receivers = step_inputs(stats, inputs)
    newest = inputs["history"][-1]
    nodes = model.node_encoder(torch.cat([state, model.particle_type_embedding(inputs["particle_type"])], dim=1))
    edges = model.edge_encoder(edges)
    for block in model.processor_in:
        nodes, edges = block(nodes, edges, senders, receivers)
    grid, unit, radius, particles, grid_nodes = latent_grid(newest, side, grid_radius)
    latent = model.to_grid((newest[particles] - grid[grid_nodes]) / radius, nodes, particles, grid_nodes, grid.shape[0]) + model.grid_place(unit)
    for layer in model.transformer:
        latent = layer(latent, [0, grid.shape[0]])
    nodes = nodes + model.from_grid((grid[grid_nodes] - newest[particles]) / radius, latent, grid_nodes, particles, newest.shape[0])
    for block in model.processor_out:
        nodes, edges = block(nodes, edges, senders, receivers)
    return integrate(stats, inputs, model.decoder(nodes))


def reconstruct(model, inputs):
    """The dense cloud from the sparse one: pairs within the field radius in the reference configuration."""
    sparse, current, dense = inputs["sparse_reference"], inputs["sparse_current"], inputs["dense_reference"]
    radius = float(inputs["field_radius"])
    squared = ((dense.double()[:, None, :] - sparse.double()[None, :, :]) ** 2).sum(-1)
    queries, sources = torch.nonzero(squared <= radius * radius, as_tuple=True)
    moved = model.neural_field((sparse[sources] - dense[queries]) / radius, (current - sparse)[sources] / radius, queries, dense.shape[0])
    return dense + moved * radius


def sizes(weights):
    embedding = weights["particle_type_embedding.weight"].shape[1]
    latent, node_inputs = weights["node_encoder.0.weight"].shape
    dimension = weights["edge_encoder.0.weight"].shape[1] - 1
    hidden_layers = sum(1 for k in weights if k.startswith("node_encoder.") and k.endswith(".weight") and weights[k].dim() == 2) - 1
    layers = sum(1 for k in weights if k.startswith("processor_in.") and k.endswith(".edge_mlp.0.weight"))
    grid_width, kernel_hidden = weights["to_grid.value.weight"].shape[0], weights["to_grid.kernel.0.weight"].shape[0]
    transformer_layers = sum(1 for k in weights if k.startswith("transformer.") and k.endswith(".q_proj.weight"))
    field_hidden = weights["neural_field.weight.0.weight"].shape[0]
    return node_inputs - embedding, dimension, latent, layers, hidden_layers, embedding, grid_width, kernel_hidden, transformer_layers, field_hidden


def outputs(model, stats, inputs, side, grid_radius, output_path, entries=None):
    with torch.no_grad():
        result = {"next_positions": next_positions(model.eval(), stats, inputs, side, grid_radius).contiguous(), "dense": reconstruct(model, inputs).contiguous()}
    result.update(entries or {})
    torch.save(result, output_path)


def predict(checkpoint_path, inputs_path, output_path, side, grid_radius):
    entries = torch.load(checkpoint_path)
    weights = section(entries, "model.")
    state_inputs, dimension, latent, layers, hidden_layers, embedding, grid_width, kernel_hidden, transformer_layers, field_hidden = sizes(weights)
    heads = int(torch.load(inputs_path)["heads"])
    model = Giorom(state_inputs, dimension, latent, layers, hidden_layers, embedding, grid_width, kernel_hidden, transformer_layers, heads, field_hidden)
    model.load_state_dict(weights, strict=True)
    stats = Statistics(dimension)
    stats.load_state_dict(section(entries, "objective."), strict=True)
    outputs(model, stats, torch.load(inputs_path), int(side), float(grid_radius), output_path)


def init(inputs_path, output_path, latent, layers, hidden_layers, embedding, side, grid_width, kernel_hidden, transformer_layers, heads, field_hidden, grid_radius_100, seed):
    torch.manual_seed(seed)
    inputs = torch.load(inputs_path)
    history = inputs["history"]
    dimension = history.shape[2]
    model = Giorom((history.shape[0] + 1) * dimension, dimension, latent, layers, hidden_layers, embedding, grid_width, kernel_hidden, transformer_layers, heads, field_hidden)
    stats = Statistics(dimension)
    velocities = history[1:] - history[:-1]
    accelerations = history[2:] - 2 * history[1:-1] + history[:-2]
    for name, values in (("velocity", velocities), ("acceleration", accelerations)):
        getattr(stats, f"{name}_mean").copy_(values.mean((0, 1)))
        getattr(stats, f"{name}_std").copy_(values.std((0, 1)))
    entries = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    entries.update({f"objective.{k}": v.contiguous() for k, v in stats.state_dict().items()})
    outputs(model, stats, inputs, side, grid_radius_100 / 100, output_path, entries)


if __name__ == "__main__":
    if sys.argv[1] == "predict":
        predict(*sys.argv[2:7])
    elif sys.argv[1] == "init":
        init(sys.argv[2], sys.argv[3], *(int(v) for v in sys.argv[4:18]))
    else:
        sys.exit(__doc__)
