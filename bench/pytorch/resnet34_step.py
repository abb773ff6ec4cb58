"""Python PyTorch side of bench/engine/train-step.ts: a torchvision ResNet-34 training step
(forward, cross-entropy, backward, Adam) on random 224x224 images, batch 8.
Prints one JSON line: {"fp32": seconds per step, "bf16": seconds per step, "op_us": per-op time}.
Usage: resnet34_step.py THREADS WARMUP STEPS
"""
import json
import sys
import time

import torch
import torch.nn.functional as F
import torchvision


def time_steps(model, optimizer, x, y, warmup, steps, bf16):
    def step():
        optimizer.zero_grad()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            logits = model(x)
        F.cross_entropy(logits.float(), y).backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def per_op_microseconds():
    a, b = torch.ones(1), torch.ones(1)
    for _ in range(20000):
        torch.add(a, b)
    start = time.perf_counter()
    n = 200000
    for _ in range(n):
        torch.add(a, b)
    return (time.perf_counter() - start) / n * 1e6


def main():
    threads, warmup, steps = (int(v) for v in sys.argv[1:4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet34().train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(8, 3, 224, 224)
    y = torch.randint(0, 1000, (8,))
    result = {
        'fp32': time_steps(model, optimizer, x, y, warmup, steps, False),
        'bf16': time_steps(model, optimizer, x, y, warmup, steps, True),
        'op_us': per_op_microseconds(),
    }
    print(json.dumps(result))


if __name__ == '__main__':
    main()
