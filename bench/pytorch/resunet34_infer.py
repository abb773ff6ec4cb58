"""ResUNet34 inference in Python PyTorch for bench/infer/forward-1000.ts: one forward pass (eval mode,
no_grad) over the same input the histonuc side runs, in the settings a PyTorch user would try:
float32 (NCHW), float32 channels-last, and bfloat16 autocast + channels-last (PyTorch's best CPU
recipe), plus the machine's bf16 3x3 convolution peak measured the same way the histonuc side does.

usage: resunet34_infer.py THREADS N HEIGHT WIDTH RUNS   (prints one JSON line: seconds per forward)
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import ResUNet34  # noqa: E402


def best_seconds(fn, runs):
    with torch.no_grad():
        fn()  # warm-up: oneDNN primitive creation, allocator
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return min(times)


def main():
    threads, n, height, width, runs = (int(v) for v in sys.argv[1:6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = ResUNet34().eval()
    x = torch.randn(n, 3, height, width)
    result = {'fp32': best_seconds(lambda: model(x), runs)}
    model = model.to(memory_format=torch.channels_last)
    x_cl = x.contiguous(memory_format=torch.channels_last)
    result['fp32_channels_last'] = best_seconds(lambda: model(x_cl), runs)

    def autocast_forward():
        with torch.autocast('cpu', dtype=torch.bfloat16):
            return model(x_cl)

    result['bf16_autocast_channels_last'] = best_seconds(autocast_forward, runs)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
