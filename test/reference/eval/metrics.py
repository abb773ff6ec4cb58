#!/usr/bin/env python3
"""Independent reference for histonuc's evaluation (src/eval), for testing only.

Written from the definitions, not from the TypeScript: the paper's metrics from REFERENCE_SPEC.md
§11 (with the §13 fixes that src/eval/README.md documents) and the field's metrics from ANCHORS.md
§2, with scikit-image and scipy doing the labelling, Hausdorff distances and assignments.

Usage: metrics.py MANIFEST.json [--seconds]
The manifest lists datasets, each a list of images whose prediction and ground truth are raw
little-endian int32 files of height×width ids. Prints {dataset name: report} as JSON, the report
laid out as src/eval/report.ts lays it out; with --seconds, {dataset name: seconds spent
evaluating} instead (reading the files not included).
"""
import json
import os
import sys
import time

import numpy as np
from scipy import ndimage
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist, directed_hausdorff
from skimage.measure import label

CLASSES = ('tumor', 'lymphocyte', 'stroma')
GROUPS = ('all',) + CLASSES
MATCH_RADIUS = 12  # HoVer-Net's centroid pairing radius, pixels


def of_class(values, c):
    return np.where((values > 0) & (values % 3 == c), values, 0)


def ratio(numerator, denominator):
    return None if denominator == 0 else numerator / denominator


def nanmean(values):
    kept = [v for v in values if v is not None]
    return (sum(kept) / len(kept) if kept else None), len(kept)


# ---------------------------------------------------------------------------------------------
# The paper's metrics (REFERENCE_SPEC §11): objects are 8-connected regions of equal value.

class Objects:
    def __init__(self, values):
        self.values = values
        self.labels = label(values, connectivity=2, background=0)
        self.count = int(self.labels.max())
        self.slices = ndimage.find_objects(self.labels)
        self.area = np.bincount(self.labels.ravel(), minlength=self.count + 1)

    def mask(self, k):
        window = self.slices[k - 1]
        return window, self.labels[window] == k

    def coords(self, k):
        window, inside = self.mask(k)
        return np.argwhere(inside) + np.array([window[0].start, window[1].start])

    def value(self, k):
        window, inside = self.mask(k)
        return int(self.values[window][inside][0])

    def max_overlap(self, k, others):
        """(object of `others` overlapping object k most, ties to the smallest, overlap) or None."""
        window, inside = self.mask(k)
        hits = others.labels[window][inside]
        hits = hits[hits > 0]
        if hits.size == 0:
            return None
        counts = np.bincount(hits)
        best = int(np.argmax(counts))
        return best, int(counts[best])


def hausdorff(a, b):
    return max(directed_hausdorff(a, b)[0], directed_hausdorff(b, a)[0])


def nearest_hausdorff(objects, k, others):
    """REFERENCE_SPEC §11.2 find_candidates: windows of half-side 50, 100, 200, 400, else 1000."""
    coords = objects.coords(k)
    r0, c0 = (int(x) for x in coords.mean(axis=0))
    height, width = objects.labels.shape
    radius = 50
    while radius <= 400:
        window = others.labels[max(r0 - radius, 0):min(r0 + radius, height), max(c0 - radius, 0):min(c0 + radius, width)]
        candidates = np.unique(window)
        candidates = candidates[candidates > 0]
        if candidates.size > 0:
            return min(hausdorff(coords, others.coords(int(c))) for c in candidates)
        radius *= 2
    return 1000.0


def paper_detection(pred, gt):
    if pred.count == 0 and gt.count == 0:
        return {'tp': 0, 'fp': 0, 'fn': 0, 'precision': None, 'recall': None, 'f1': None}, []
    tp = 0
    matches = []
    claimed = set()
    for s in range(1, pred.count + 1):
        hit = pred.max_overlap(s, gt)
        # A ground-truth object is found once: a second prediction covering exactly the other
        # half of it is a false positive (the reference code counted it twice).
        if hit is not None and 2 * hit[1] >= gt.area[hit[0]] and hit[0] not in claimed:
            claimed.add(hit[0])
            tp += 1
            matches.append((pred.value(s) % 3, gt.value(hit[0]) % 3))
    if tp == 0:
        precision = recall = f1 = 0.0
    else:
        precision = tp / pred.count
        recall = tp / gt.count
        f1 = 2 * precision * recall / (precision + recall)
    return {'tp': tp, 'fp': pred.count - tp, 'fn': gt.count - tp, 'precision': precision, 'recall': recall, 'f1': f1}, matches


def object_side(objects, others):
    total = objects.area[1:].sum()
    dice = iou = haus = 0.0
    for k in range(1, objects.count + 1):
        weight = objects.area[k] / total
        hit = objects.max_overlap(k, others)
        if hit is None:
            haus += weight * nearest_hausdorff(objects, k, others)
            continue
        o, inter = hit
        a, b = objects.area[k], others.area[o]
        dice += weight * 2 * inter / (a + b)
        iou += weight * inter / (a + b - inter)
        haus += weight * hausdorff(objects.coords(k), others.coords(o))
    return dice, iou, haus


def paper_object_level(pred, gt):
    if pred.count == 0 and gt.count == 0:
        return {'dice': None, 'iou': None, 'hausdorff': None}
    gt_side = object_side(gt, pred)
    pred_side = object_side(pred, gt)
    return {name: 0.5 * (gt_side[i] + pred_side[i]) for i, name in enumerate(('dice', 'iou', 'hausdorff'))}


def paper_image(pred_values, gt_values):
    groups = {}
    matches = []
    for group in GROUPS:
        if group == 'all':
            pred, gt = Objects(pred_values), Objects(gt_values)
        else:
            c = CLASSES.index(group)
            pred, gt = Objects(of_class(pred_values, c)), Objects(of_class(gt_values, c))
        detection, group_matches = paper_detection(pred, gt)
        if group == 'all':
            matches = group_matches
        groups[group] = {**detection, **paper_object_level(pred, gt)}
    confusion = [[0] * 3 for _ in range(3)]
    for pred_class, gt_class in matches:
        confusion[gt_class][pred_class] += 1
    correct = sum(confusion[c][c] for c in range(3))
    classification = {'truePositives': len(matches), 'correct': correct,
                      'accuracy': ratio(correct, len(matches)), 'confusion': confusion}
    return {'groups': groups, 'classification': classification}


# ---------------------------------------------------------------------------------------------
# The field's metrics (ANCHORS §2): objects are the ids themselves, remapped to 1..N in id order.

def remap(values):
    ids = np.unique(values)
    ids = ids[ids > 0]
    return np.where(values > 0, np.searchsorted(ids, values) + 1, 0), ids


def pairwise(gt, n_gt, pred, n_pred):
    joint = np.bincount((gt * (n_pred + 1) + pred).ravel(), minlength=(n_gt + 1) * (n_pred + 1))
    joint = joint.reshape(n_gt + 1, n_pred + 1)
    gt_area, pred_area = joint.sum(axis=1)[1:], joint.sum(axis=0)[1:]
    inter = joint[1:, 1:]
    union = gt_area[:, None] + pred_area[None, :] - inter
    iou = np.where(inter > 0, inter / np.maximum(union, 1), 0.0)
    return inter, union, iou, gt_area, pred_area


def panoptic(gt_values, pred_values, absent_gt_is_undefined):
    gt, gt_ids = remap(gt_values)
    pred, pred_ids = remap(pred_values)
    inter, union, iou, _, _ = pairwise(gt, len(gt_ids), pred, len(pred_ids))
    paired = 2 * inter > union  # IoU > 0.5, strictly: the pairs are unique
    tp = int(paired.sum())
    fp, fn = len(pred_ids) - tp, len(gt_ids) - tp
    iou_sum = float(iou[paired].sum())
    record = {'tp': tp, 'fp': fp, 'fn': fn, 'iouSum': iou_sum, 'dq': None, 'sq': None, 'pq': None}
    undefined = len(gt_ids) == 0 if absent_gt_is_undefined else tp + fp + fn == 0
    if not undefined:
        record['dq'] = tp / (tp + 0.5 * fp + 0.5 * fn)
        record['sq'] = iou_sum / (tp + 1e-6)
        record['pq'] = record['dq'] * record['sq']
    return record


def aji(inter, union, iou, gt_area, pred_area, unique):
    n_gt, n_pred = iou.shape
    if unique:
        rows, cols = linear_sum_assignment(-iou) if n_gt and n_pred else (np.zeros(0, int), np.zeros(0, int))
    else:
        rows = np.arange(n_gt)
        cols = np.argmax(iou, axis=1) if n_pred else np.zeros(n_gt, int)
    keep = iou[rows, cols] > 0 if n_pred else np.zeros(len(rows), bool)
    rows, cols = rows[keep], cols[keep]
    overlap = inter[rows, cols].sum()
    total = union[rows, cols].sum()
    total += gt_area[np.setdiff1d(np.arange(n_gt), rows)].sum()
    total += pred_area[np.setdiff1d(np.arange(n_pred), cols)].sum()
    return ratio(float(overlap), float(total))


def centroid_matching(gt_values, pred_values):
    gt, gt_ids = remap(gt_values)
    pred, pred_ids = remap(pred_values)
    gt_centroids = np.array(ndimage.center_of_mass(np.ones_like(gt), gt, np.arange(1, len(gt_ids) + 1))).reshape(-1, 2)
    pred_centroids = np.array(ndimage.center_of_mass(np.ones_like(pred), pred, np.arange(1, len(pred_ids) + 1))).reshape(-1, 2)
    gt_types, pred_types = gt_ids % 3, pred_ids % 3
    if len(gt_ids) and len(pred_ids):
        distance = cdist(gt_centroids, pred_centroids)
        rows, cols = linear_sum_assignment(distance)
        keep = distance[rows, cols] <= MATCH_RADIUS
        rows, cols = rows[keep], cols[keep]
    else:
        rows = cols = np.zeros(0, int)
    unpaired_gt = np.setdiff1d(np.arange(len(gt_ids)), rows)
    unpaired_pred = np.setdiff1d(np.arange(len(pred_ids)), cols)
    true_type, pred_type = gt_types[rows], pred_types[cols]
    per_class = {}
    for c, name in enumerate(CLASSES):
        per_class[name] = {
            'tpC': int(np.sum((true_type == c) & (pred_type == c))),
            'fpC': int(np.sum((true_type != c) & (pred_type == c))),
            'fnC': int(np.sum((true_type == c) & (pred_type != c))),
            'fpD': int(np.sum(pred_types[unpaired_pred] == c)),
            'fnD': int(np.sum(gt_types[unpaired_gt] == c)),
            'gt': int(np.sum(gt_types == c)),
        }
    tp, fp, fn = len(rows), len(unpaired_pred), len(unpaired_gt)
    return {'tp': tp, 'fp': fp, 'fn': fn, 'fd': ratio(2 * tp, 2 * tp + fp + fn),
            'correct': int(np.sum(true_type == pred_type)), 'perClass': per_class}


def standard_image(pred_values, gt_values):
    gt, gt_ids = remap(gt_values)
    pred, pred_ids = remap(pred_values)
    inter, union, iou, gt_area, pred_area = pairwise(gt, len(gt_ids), pred, len(pred_ids))
    foreground_overlap = int(np.sum((gt > 0) & (pred > 0)))
    per_class = {name: panoptic(of_class(gt_values, c), of_class(pred_values, c), True) for c, name in enumerate(CLASSES)}
    return {
        'dice1': ratio(2 * foreground_overlap, int(np.sum(gt > 0)) + int(np.sum(pred > 0))),
        'aji': aji(inter, union, iou, gt_area, pred_area, unique=False),
        'ajiPlus': aji(inter, union, iou, gt_area, pred_area, unique=True),
        'panoptic': panoptic(gt_values, pred_values, False),
        'panopticPerClass': per_class,
        'mPQ': nanmean([per_class[name]['pq'] for name in CLASSES])[0],
        'centroids': centroid_matching(gt_values, pred_values),
    }


# ---------------------------------------------------------------------------------------------
# Aggregation over a dataset.

def aggregate(images):
    table1 = {}
    for group in GROUPS:
        row = {}
        for metric in ('precision', 'recall', 'f1', 'dice', 'iou', 'hausdorff'):
            row[metric], row['images'] = nanmean([im['paper']['groups'][group][metric] for im in images])
        table1[group] = row
    confusion = np.zeros((3, 3), int)
    for im in images:
        confusion += np.array(im['paper']['classification']['confusion'])
    total = int(confusion.sum())
    table2 = {
        'all': ratio(int(np.trace(confusion)), total),
        'columnNormalised': {name: ratio(int(confusion[c, c]), int(confusion[:, c].sum())) for c, name in enumerate(CLASSES)},
        'rowNormalised': {name: ratio(int(confusion[c, c]), int(confusion[c, :].sum())) for c, name in enumerate(CLASSES)},
    }

    standard = [im['standard'] for im in images]
    means = {}
    for metric in ('dice1', 'aji', 'ajiPlus'):
        means[metric], means['images'] = nanmean([s[metric] for s in standard])
    for metric in ('dq', 'sq', 'pq'):
        means[metric], _ = nanmean([s['panoptic'][metric] for s in standard])
    bpq = nanmean([s['panoptic']['pq'] if s['panoptic']['tp'] + s['panoptic']['fn'] > 0 else None for s in standard])
    per_class_pq = {name: nanmean([s['panopticPerClass'][name]['pq'] for s in standard]) for name in CLASSES}
    mpq = nanmean([s['mPQ'] for s in standard])
    pooled = {}
    for name in CLASSES:
        tp = sum(s['panopticPerClass'][name]['tp'] for s in standard)
        fp = sum(s['panopticPerClass'][name]['fp'] for s in standard)
        fn = sum(s['panopticPerClass'][name]['fn'] for s in standard)
        iou_sum = sum(s['panopticPerClass'][name]['iouSum'] for s in standard)
        dq = ratio(tp, tp + 0.5 * fp + 0.5 * fn)
        sq = None if dq is None else iou_sum / (tp + 1e-6)
        pooled[name] = {'tp': tp, 'fp': fp, 'fn': fn, 'iouSum': iou_sum, 'dq': dq, 'sq': sq, 'pq': None if dq is None else dq * sq}

    centroids = [s['centroids'] for s in standard]
    tp = sum(c['tp'] for c in centroids)
    fp = sum(c['fp'] for c in centroids)
    fn = sum(c['fn'] for c in centroids)
    correct = sum(c['correct'] for c in centroids)
    fc = {}
    for name in CLASSES:
        counts = {key: sum(c['perClass'][name][key] for c in centroids) for key in ('tpC', 'fpC', 'fnC', 'fpD', 'fnD', 'gt')}
        denominator = 2 * counts['tpC'] + 2 * counts['fpC'] + 2 * counts['fnC'] + counts['fpD'] + counts['fnD']
        fc[name] = None if counts['gt'] == 0 else ratio(2 * counts['tpC'], denominator)

    return {
        'images': len(images),
        'paper': {'table1': table1, 'confusion': confusion.tolist(), 'table2': table2},
        'standard': {
            'imageMeans': means,
            'bPQ': {'value': bpq[0], 'images': bpq[1]},
            'pqPerClass': {name: {'value': v[0], 'images': v[1]} for name, v in per_class_pq.items()},
            'mPQ': {'value': mpq[0], 'images': mpq[1]},
            'pooledPerClass': pooled,
            'mPQPlus': nanmean([pooled[name]['pq'] for name in CLASSES])[0],
            'hovernet': {'tp': tp, 'fp': fp, 'fn': fn,
                         'precision': ratio(tp, tp + fp), 'recall': ratio(tp, tp + fn),
                         'fd': ratio(2 * tp, 2 * tp + fp + fn), 'accuracy': ratio(correct, tp), 'fc': fc},
        },
    }


def read_map(path, width, height):
    return np.fromfile(path, dtype='<i4').reshape(height, width).astype(np.int64)


def main():
    manifest_path = sys.argv[1]
    base = os.path.dirname(os.path.abspath(manifest_path))
    with open(manifest_path) as f:
        manifest = json.load(f)
    reports, seconds = {}, {}
    for dataset in manifest['datasets']:
        maps = [(item['name'], read_map(os.path.join(base, item['pred']), item['width'], item['height']),
                 read_map(os.path.join(base, item['gt']), item['width'], item['height'])) for item in dataset['images']]
        start = time.perf_counter()
        images = [{'name': name, 'paper': paper_image(pred, gt), 'standard': standard_image(pred, gt)} for name, pred, gt in maps]
        reports[dataset['name']] = {'perImage': images, 'summary': aggregate(images)}
        seconds[dataset['name']] = time.perf_counter() - start
    json.dump(seconds if '--seconds' in sys.argv[2:] else reports, sys.stdout)


if __name__ == '__main__':
    main()
