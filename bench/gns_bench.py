#!/usr/bin/python3
"""The PyTorch twin of GnnSim's GNS step, for the golden tests.

One GNS step written the way a PyTorch user writes it (learning_to_simulate's, in PyTorch): from the
last C + 1 positions, the radius graph (every pair within the radius, self loops included, found by
brute force here), the node inputs (normalized velocities, clipped wall distances, the type
embedding), the edge inputs (displacement over the radius and its norm), MeshGraphNet's
encode-process-decode (mgn_bench.py's), and semi-implicit Euler from the de-normalized
acceleration. The statistics are the particle objective's buffers; keys are GnnSim's
(`model.particle_type_embedding.weight`, `model.encode_process_decode.blocks.0.edge_mlp.0.weight`,
`objective.velocity_mean`).

Usage:
  gns_bench.py predict CHECKPOINT INPUTS OUTPUT
      loads a GnnSim checkpoint (strict) and writes the next positions for INPUTS (history [C+1, N, D],
      particle_type [N], bounds [D, 2], radius, noise_std) as OUTPUT {"next_positions"}.
  gns_bench.py init INPUTS OUTPUT LATENT STEPS HIDDEN_LAYERS EMBEDDING SEED
      makes weights and statistics in PyTorch, sized for INPUTS, and writes their state dict and the
      next positions they give for INPUTS to OUTPUT.
"""
import sys

import torch
from torch import nn

from mgn_bench import MeshGraphNet, section

PARTICLE_TYPES = 9


class Gns(nn.Module):
    def __init__(self, state_inputs, dimension, latent, steps, hidden_layers, embedding):
        super().__init__()
        self.particle_type_embedding = nn.Embedding(PARTICLE_TYPES, embedding)
        self.encode_process_decode = MeshGraphNet(state_inputs + embedding, dimension + 1, dimension, latent, steps, hidden_layers)


class Statistics(nn.Module):
    """The training data's velocity and acceleration mean and std per axis, as GNS's metadata.json holds them."""

    def __init__(self, dimension):
        super().__init__()
        for name in ("velocity_mean", "velocity_std", "acceleration_mean", "acceleration_std"):
            self.register_buffer(name, torch.zeros(dimension))


def radius_graph(positions, radius):
    """Senders and receivers of every pair closer than the radius (inclusive), each point to itself too."""
    p = positions.double()
    squared = ((p[:, None, :] - p[None, :, :]) ** 2).sum(-1)
    receivers, senders = torch.nonzero(squared <= radius * radius, as_tuple=True)
    return senders, receivers


def step_inputs(stats, inputs):
    """GNS's inputs of one step: the state features [N, (C + 2) D] (velocities, walls), the edge inputs and the radius graph."""
    history, bounds = inputs["history"], inputs["bounds"]
    radius, noise = float(inputs["radius"]), float(inputs["noise_std"])
    newest = history[-1]
    velocities = (history[1:] - history[:-1] - stats.velocity_mean) / widen(stats.velocity_std, noise)
    walls = torch.cat([newest - bounds[:, 0], bounds[:, 1] - newest], dim=1) / radius
    state = torch.cat([velocities.permute(1, 0, 2).reshape(newest.shape[0], -1), walls.clamp(-1, 1)], dim=1)
    senders, receivers = radius_graph(newest, radius)
    displacement = (newest[senders] - newest[receivers]) / radius
    edges = torch.cat([displacement, displacement.norm(dim=1, keepdim=True)], dim=1)
    return state, edges, senders, receivers


def widen(std, noise):
    """The noise widens the data's std; an axis with neither (no variation, no noise) is centred, not scaled."""
    widened = torch.sqrt(std ** 2 + noise ** 2)
    return torch.where(widened > 0, widened, torch.ones_like(widened))


def integrate(stats, inputs, output):
    """Semi-implicit Euler from the normalized acceleration."""
    history = inputs["history"]
    acceleration = output * widen(stats.acceleration_std, float(inputs["noise_std"])) + stats.acceleration_mean
    return history[-1] + (history[-1] - history[-2]) + acceleration


def next_positions(model, stats, inputs):
    state, edges, senders, receivers = step_inputs(stats, inputs)
    nodes = torch.cat([state, model.particle_type_embedding(inputs["particle_type"])], dim=1)
    return integrate(stats, inputs, model.encode_process_decode(nodes, edges, senders, receivers))


def sizes(weights):
    """(state inputs, dimension, latent, steps, hidden layers, embedding) of a GNS state dict."""
    embedding = weights["particle_type_embedding.weight"].shape[1]
    latent, node_inputs = weights["encode_process_decode.node_encoder.0.weight"].shape
    dimension = weights["encode_process_decode.edge_encoder.0.weight"].shape[1] - 1
    hidden_layers = sum(1 for k in weights if k.startswith("encode_process_decode.node_encoder.") and k.endswith(".weight") and weights[k].dim() == 2) - 1
    steps = sum(1 for k in weights if k.startswith("encode_process_decode.blocks.") and k.endswith(".edge_mlp.0.weight"))
    return node_inputs - embedding, dimension, latent, steps, hidden_layers, embedding


def predict(checkpoint_path, inputs_path, output_path):
    entries = torch.load(checkpoint_path)
    weights = section(entries, "model.")
    state_inputs, dimension, latent, steps, hidden_layers, embedding = sizes(weights)
    model = Gns(state_inputs, dimension, latent, steps, hidden_layers, embedding)
    model.load_state_dict(weights, strict=True)
    stats = Statistics(dimension)
    stats.load_state_dict(section(entries, "objective."), strict=True)
    with torch.no_grad():
        result = next_positions(model.eval(), stats, torch.load(inputs_path))
    torch.save({"next_positions": result.contiguous()}, output_path)


def init(inputs_path, output_path, latent, steps, hidden_layers, embedding, seed):
    torch.manual_seed(seed)
    inputs = torch.load(inputs_path)
    history = inputs["history"]
    dimension = history.shape[2]
    model = Gns((history.shape[0] - 1 + 2) * dimension, dimension, latent, steps, hidden_layers, embedding)
    stats = Statistics(dimension)
    velocities = history[1:] - history[:-1]
    accelerations = history[2:] - 2 * history[1:-1] + history[:-2]
    stats.velocity_mean.copy_(velocities.mean((0, 1)))
    stats.velocity_std.copy_(velocities.std((0, 1)))
    stats.acceleration_mean.copy_(accelerations.mean((0, 1)))
    stats.acceleration_std.copy_(accelerations.std((0, 1)))
    with torch.no_grad():
        result = next_positions(model.eval(), stats, inputs)
    entries = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    entries.update({f"objective.{k}": v.contiguous() for k, v in stats.state_dict().items()})
    entries["next_positions"] = result.contiguous()
    torch.save(entries, output_path)


if __name__ == "__main__":
    if sys.argv[1] == "predict":
        predict(*sys.argv[2:5])
    elif sys.argv[1] == "init":
        init(sys.argv[2], sys.argv[3], *(int(v) for v in sys.argv[4:9]))
    else:
        sys.exit(__doc__)
