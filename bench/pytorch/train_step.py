"""Python PyTorch side of bench/train/step.ts: the full ResUNet34 training step of REFERENCE_SPEC §9
(batch 8, 224x224 crops of 250x250 CoNSeP patches, weighted cross-entropy + beta * perceptual loss
with VGG16, Adam lr 1e-4 betas (0.9, 0.99) weight decay 1e-4), written as a PyTorch user writes it:
the networks and losses of bench/pytorch/models.py, the model and the losses' VGG under
torch.autocast for bf16, the reference's PIL/scipy augmentation (bench/data/reference_pipeline.py)
in torch DataLoader worker processes.

For each precision (fp32, bf16 autocast) and each loss (with and without the perceptual term) it times
  step:   the step alone on one fixed batch (forward, losses, backward, Adam)
  loaded: steps on batches from the DataLoader, whose workers augment while the step runs
Prints one JSON line: {"fp32": {"perceptual": {"step": s, "loaded": s}, "plain": {...}}, "bf16": {...}}
(seconds per step).

Usage: train_step.py IMAGES_DIR LABELS_DIR --threads 2 --warmup 1 --steps 3 --workers 1 --image-count 4
       [--precisions fp32,bf16] [--losses perceptual,plain] [--no-loading]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'data'))
from models import ResUNet34, VGG16Features, perceptual_loss, weighted_cross_entropy  # noqa: E402
import reference_pipeline  # noqa: E402

BATCH = 8
BETA = 0.1


class AugmentedPatches(torch.utils.data.Dataset):
    """Each item is a fresh augmentation of one patch, from a random stream of its own."""

    def __init__(self, patches, seed):
        self.patches = patches
        self.seed = seed

    def __len__(self):
        return len(self.patches)

    def __getitem__(self, index):
        rng = np.random.default_rng([self.seed, index, int(torch.initial_seed() % 2**32)])
        image, target, weight = reference_pipeline.augment(self.patches[index], rng)
        return torch.from_numpy(image), torch.from_numpy(target), torch.from_numpy(weight)


def make_step(model, vgg, optimizer, bf16):
    def step(images, targets, weights):
        optimizer.zero_grad()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            logits = model(images)
            perceptual = None if vgg is None else perceptual_loss(vgg, logits.float(), targets)
        loss = weighted_cross_entropy(logits.float(), targets, weights)
        if perceptual is not None:
            loss = loss + BETA * perceptual.float()
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def seconds_per_step(step, batches, warmup, steps):
    for _ in range(warmup):
        step(*next(batches))
    start = time.perf_counter()
    for _ in range(steps):
        step(*next(batches))
    return (time.perf_counter() - start) / steps


def repeat(batch):
    while True:
        yield batch


def loader_batches(loader):
    while True:
        for images, targets, weights in loader:
            yield images, targets, weights


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('images')
    parser.add_argument('labels')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--image-count', type=int, default=4)
    parser.add_argument('--precisions', default='fp32,bf16')
    parser.add_argument('--losses', default='perceptual,plain')
    parser.add_argument('--no-loading', action='store_true')
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    patches = reference_pipeline.patches(args.images, args.labels, args.image_count)
    dataset = AugmentedPatches(patches, seed=1)
    fixed = [torch.stack(parts) for parts in zip(*(dataset[k] for k in range(BATCH)))]
    loader = None
    if not args.no_loading:
        loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=True, drop_last=True,
                                             num_workers=args.workers, persistent_workers=args.workers > 0)
    result = {}
    for precision in args.precisions.split(','):
        result[precision] = {}
        for losses in args.losses.split(','):
            torch.manual_seed(0)
            model = ResUNet34().train()
            vgg = VGG16Features() if losses == 'perceptual' else None
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.99), weight_decay=1e-4)
            step = make_step(model, vgg, optimizer, precision == 'bf16')
            timings = {'step': seconds_per_step(step, repeat(fixed), args.warmup, args.steps)}
            if loader is not None:
                timings['loaded'] = seconds_per_step(step, loader_batches(loader), args.warmup, args.steps)
            result[precision][losses] = timings
    print(json.dumps(result))


if __name__ == '__main__':
    main()
