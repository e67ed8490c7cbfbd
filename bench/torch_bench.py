#!/usr/bin/python3
"""The PyTorch side of `gnnsim bench torch`: the same measurements through PyTorch's Python API
on Debian's libtorch (python3-torch), printed as one JSON line.

Thread and malloc settings come from the caller (the C# benchmark passes its own: intra-op
threads as an argument, OPENBLAS_NUM_THREADS and MALLOC_* in the environment), so both sides run
under the same conditions.
"""
import json
import statistics
import sys
import time

import torch


def op_overhead_us(iterations):
    a = torch.ones(1)
    b = torch.ones(1)
    for _ in range(1000):
        a + b
    start = time.perf_counter()
    for _ in range(iterations):
        a + b
    return (time.perf_counter() - start) / iterations * 1e6


def mlp_step_ms(rows, width, warmup, repeats):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(width, width), torch.nn.ReLU(),
        torch.nn.Linear(width, width), torch.nn.ReLU(),
        torch.nn.Linear(width, width), torch.nn.LayerNorm(width))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(rows, width)
    y = torch.randn(rows, width)
    times = []
    for i in range(warmup + repeats):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    intra_threads, rows, width, warmup, repeats, op_iterations = (int(v) for v in sys.argv[1:7])
    torch.set_num_threads(intra_threads)
    print(json.dumps({
        "torch_version": torch.__version__,
        "op_overhead_us": op_overhead_us(op_iterations),
        "mlp_step_ms": mlp_step_ms(rows, width, warmup, repeats),
    }))


if __name__ == "__main__":
    main()
