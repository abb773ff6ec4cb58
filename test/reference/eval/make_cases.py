#!/usr/bin/env python3
"""Writes the evaluation golden cases, for testing only: synthetic edge cases, and real CoNSeP
ground truth with deterministically perturbed predictions (seeded).

Usage: make_cases.py OUT_DIR [CONSEP_DIR [--bench IMAGE]]
Writes OUT_DIR/manifest.json and, per image, raw little-endian int32 maps (height×width) of the
prediction and the ground truth, the input of metrics.py and of the TypeScript under test.
Without CONSEP_DIR only the synthetic datasets are written; with --bench, only one dataset "bench":
the whole of CoNSeP image IMAGE with the "mixed" perturbation.
"""
import json
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage

PERTURBATIONS = ('eroded', 'dilated', 'shifted', 'merged', 'split', 'reclassified', 'dropped', 'hallucinated', 'mixed')
# (image, top, left) of the 320×320 crops each perturbation is applied to; train_5 has stroma only.
CROPS = (('train_1', 300, 340), ('train_5', 0, 0), ('train_8', 600, 200))


class FreshIds:
    """New ids of a chosen class, above every id in use."""

    def __init__(self, used_max):
        self.next = 3 * (int(used_max) // 3 + 1)

    def of_class(self, c):
        new = self.next + c
        self.next += 3
        return new


def square(shape, top, left, height, width, value, into=None):
    out = np.zeros(shape, np.int64) if into is None else into
    out[top:top + height, left:left + width] = value
    return out


def disk(shape, row, col, radius, value, into):
    rr, cc = np.ogrid[:shape[0], :shape[1]]
    into[(rr - row) ** 2 + (cc - col) ** 2 <= radius ** 2] = value
    return into


def edge_cases():
    cases = {}
    s = (40, 48)
    cases['both-empty'] = (np.zeros(s, np.int64), np.zeros(s, np.int64))
    cases['no-prediction'] = (np.zeros(s, np.int64), square(s, 5, 5, 8, 8, 3))
    cases['no-ground-truth'] = (square(s, 5, 5, 8, 8, 4), np.zeros(s, np.int64))
    both = square(s, 5, 5, 8, 8, 3)
    square(s, 20, 30, 6, 9, 7, both)
    cases['identical'] = (both.copy(), both)
    # REFERENCE_SPEC §14: a 100-px nucleus covered by 50 px (true positive) or 49 px (not).
    gt = square(s, 10, 10, 10, 10, 3)
    cases['cover-50-of-100'] = (square(s, 10, 10, 5, 10, 6), gt)
    half = square(s, 10, 10, 4, 10, 6)
    half[14, 10:19] = 6
    cases['cover-49-of-100'] = (half, gt)
    # §14: an identical object plus a second 100-px prediction near it, and one beyond every window.
    pred = square(s, 10, 10, 10, 10, 3)
    square(s, 10, 30, 10, 10, 6, pred)
    cases['extra-prediction-near'] = (pred, gt)
    big = (1000, 1000)
    far_gt = square(big, 10, 10, 10, 10, 3)
    far_pred = square(big, 10, 10, 10, 10, 3)
    square(big, 900, 900, 10, 10, 6, far_pred)
    cases['extra-prediction-far'] = (far_pred, far_gt)
    # Only the windows of half-side 200 or 400 reach the other object.
    mid_gt = square(big, 500, 500, 6, 6, 4)
    mid_pred = square(big, 500, 250, 6, 6, 4)
    square(big, 60, 120, 5, 7, 5, mid_pred)
    cases['distant-candidates'] = (mid_pred, mid_gt)
    # One prediction covering two ground-truth nuclei equally: ties go to the smaller id.
    tie_gt = square(s, 10, 10, 6, 6, 3)
    square(s, 10, 16, 6, 6, 4, tie_gt)
    cases['tie'] = (square(s, 10, 13, 6, 6, 5), tie_gt)
    # A nucleus split into equal halves: tied IoUs for AJI+'s assignment.
    halves = square(s, 10, 10, 8, 4, 3)
    square(s, 10, 14, 8, 4, 6, halves)
    cases['equal-halves'] = (halves, square(s, 10, 10, 8, 8, 9))
    # One id in two pieces (two objects for the paper, one instance for the field), and touching ids.
    pieces = square(s, 5, 5, 5, 5, 3)
    square(s, 20, 25, 5, 5, 3, pieces)
    touching = square(s, 5, 5, 5, 5, 3)
    square(s, 5, 10, 5, 5, 6, touching)
    square(s, 20, 25, 5, 6, 4, touching)
    cases['fragments-and-touching'] = (pieces, touching)
    # A thin ring around a prediction filling its hole: the prediction's pixel farthest from the ring
    # is its centre, not on its contour.
    ring = np.zeros(s, np.int64)
    disk(s, 20, 24, 11, 5, ring)
    disk(s, 20, 24, 10, 0, ring)
    cases['ring'] = (disk(s, 20, 24, 9, 5, np.zeros(s, np.int64)), ring)
    # Objects on the image border, where the windows are clipped.
    border_gt = square(s, 0, 0, 4, 6, 3)
    square(s, 36, 40, 4, 8, 4, border_gt)
    border_pred = square(s, 0, 44, 5, 4, 3)
    square(s, 35, 0, 5, 5, 5, border_pred)
    cases['border'] = (border_pred, border_gt)
    # Centroids exactly 12 px apart (paired) and IoU exactly 0.5 (not paired).
    exact_gt = square(s, 10, 5, 3, 3, 3)
    square(s, 25, 20, 10, 10, 4, exact_gt)
    exact_pred = square(s, 10, 17, 3, 3, 3)
    square(s, 25, 20, 10, 5, 4, exact_pred)
    cases['exact-thresholds'] = (exact_pred, exact_gt)
    # One predicted blob over many nuclei: the Hausdorff distances where the TypeScript switches
    # from pixel pairs to a distance transform.
    blob_gt = np.zeros((200, 200), np.int64)
    for k in range(25):
        square(blob_gt.shape, 20 + 32 * (k // 5), 20 + 32 * (k % 5), 7, 9, 3 + k, blob_gt)
    cases['huge-blob'] = (square(blob_gt.shape, 10, 10, 180, 170, 3), blob_gt)
    rng = np.random.default_rng(7)
    for n in range(3):
        cases[f'random-blobs-{n}'] = (random_blobs((64, 80), rng), random_blobs((64, 80), rng))
    return cases


def random_blobs(shape, rng):
    out = np.zeros(shape, np.int64)
    for _ in range(rng.integers(4, 14)):
        disk(shape, rng.integers(0, shape[0]), rng.integers(0, shape[1]), rng.integers(1, 7), rng.integers(1, 30), out)
    return out


def equal_neighbours(labels):
    """Pixels whose 4 neighbours carry the same id (per-nucleus erosion by the cross)."""
    padded = np.pad(labels, 1)
    core = padded[1:-1, 1:-1]
    same = (padded[:-2, 1:-1] == core) & (padded[2:, 1:-1] == core) & (padded[1:-1, :-2] == core) & (padded[1:-1, 2:] == core)
    return np.where(same, labels, 0)


def perturb(gt, kind, rng, rate=0.25):
    ids = np.unique(gt)
    ids = ids[ids > 0]
    fresh = FreshIds(gt.max())
    pred = gt.copy()
    chosen = ids[rng.random(len(ids)) < rate]
    if kind == 'eroded':
        pred = equal_neighbours(gt)
    elif kind == 'dilated':
        for _ in range(2):
            pred = np.where(pred > 0, pred, ndimage.grey_dilation(pred, size=3))
    elif kind == 'shifted':
        pred = np.zeros_like(gt)
        pred[3:, :-2] = gt[:-3, 2:]
    elif kind == 'merged':
        for nucleus in chosen:
            near = ndimage.binary_dilation(pred == nucleus, iterations=3)
            others = np.unique(pred[near & (pred > 0) & (pred != nucleus)])
            if others.size:
                pred[pred == others[0]] = nucleus
    elif kind == 'split':
        for nucleus in chosen:
            rows, cols = np.nonzero(pred == nucleus)
            if rows.size >= 30:
                right = cols > cols.mean()
                pred[rows[right], cols[right]] = fresh.of_class(int(nucleus) % 3)
    elif kind == 'reclassified':
        for nucleus in chosen:
            pred[pred == nucleus] = fresh.of_class((int(nucleus) + rng.integers(1, 3)) % 3)
    elif kind == 'dropped':
        pred[np.isin(pred, chosen)] = 0
    elif kind == 'hallucinated':
        for _ in range(12):
            radius = int(rng.integers(3, 9))
            row, col = rng.integers(0, gt.shape[0]), rng.integers(0, gt.shape[1])
            blob = disk(gt.shape, row, col, radius, 1, np.zeros(gt.shape, np.int64)) > 0
            if not (pred[blob] > 0).any():
                pred[blob] = fresh.of_class(int(rng.integers(0, 3)))
    elif kind == 'mixed':
        for step in ('split', 'merged', 'dilated', 'reclassified', 'dropped', 'hallucinated'):
            pred = perturb(pred, step, rng, rate=0.1)
    return pred


def write_dataset(out_dir, name, images):
    entries = []
    for image_name, (pred, gt) in images.items():
        stem = f'{name}--{image_name}'
        for role, data in (('pred', pred), ('gt', gt)):
            data.astype('<i4').tofile(os.path.join(out_dir, f'{stem}.{role}.bin'))
        entries.append({'name': image_name, 'width': int(gt.shape[1]), 'height': int(gt.shape[0]),
                        'pred': f'{stem}.pred.bin', 'gt': f'{stem}.gt.bin'})
    return {'name': name, 'images': entries}


def read_consep(consep_dir, image):
    return np.array(Image.open(os.path.join(consep_dir, 'labels', f'{image}_label.png'))).astype(np.int64)


def main():
    out_dir = sys.argv[1]
    consep_dir = sys.argv[2] if len(sys.argv) > 2 else None
    rng = np.random.default_rng(20190410)
    if len(sys.argv) > 4 and sys.argv[3] == '--bench':
        gt = read_consep(consep_dir, sys.argv[4])
        datasets = [write_dataset(out_dir, 'bench', {sys.argv[4]: (perturb(gt, 'mixed', rng), gt)})]
    else:
        datasets = [write_dataset(out_dir, 'edge-cases', edge_cases())]
    if consep_dir and len(datasets) == 1 and datasets[0]['name'] == 'edge-cases':
        gts = {image: read_consep(consep_dir, image)[top:top + 320, left:left + 320] for image, top, left in CROPS}
        for kind in PERTURBATIONS:
            images = {image: (perturb(gt, kind, rng), gt) for image, gt in gts.items()}
            datasets.append(write_dataset(out_dir, f'consep-{kind}', images))
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        json.dump({'datasets': datasets}, f)


if __name__ == '__main__':
    main()
