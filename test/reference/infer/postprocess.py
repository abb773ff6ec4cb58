"""Reference for test/infer/postprocess.test.ts: REFERENCE_SPEC §10.4 in scikit-image, with the
majority-class defect fixed by exact counting. For each seeded case it writes to OUT_DIR:
  <case>_prob.bin   float32 5xHxW probabilities
  <case>_labels.bin int32 HxW classified, dilated instance map
  <case>_classprob.bin float64 (max id + 1)x3: per id the mean tumor/lymphocyte/stroma probability
                    over its pixels, renormalised over the three (zeros for absent ids)
and prints a JSON list of [case, height, width].
Usage: postprocess.py OUT_DIR
"""
import json
import sys

import numpy as np
from scipy import ndimage
from skimage import measure, morphology


def postprocess(prob):
    pred = np.argmax(prob, axis=0)
    inside = pred.copy()
    inside[inside == 4] = 0
    comp = measure.label(inside > 0, connectivity=2)
    masks = [np.zeros(pred.shape, bool) for _ in range(3)]
    for k in range(1, comp.max() + 1):
        region = comp == k
        counts = [np.sum(pred[region] == c) for c in (1, 2, 3)]
        masks[int(np.argmax(counts))] |= region
    combined = np.zeros(pred.shape, np.int32)
    for c, offset in zip(range(3), (0, -2, -1)):
        kept = morphology.remove_small_objects(masks[c], min_size=20, connectivity=1)
        labelled = measure.label(kept, connectivity=2)
        combined[labelled > 0] = 3 * labelled[labelled > 0] + offset
    return morphology.dilation(combined, morphology.disk(1)).astype(np.int32)


def class_probabilities(labels, prob):
    ids = labels.ravel()
    sums = np.stack([np.bincount(ids, weights=prob[c].ravel().astype(np.float64), minlength=labels.max() + 1) for c in (1, 2, 3)], 1)
    totals = sums.sum(1, keepdims=True)
    return np.divide(sums, totals, out=np.zeros_like(sums), where=totals > 0)


def random_probabilities(rng, height, width, drop_class=None):
    logits = np.stack([ndimage.gaussian_filter(rng.normal(size=(height, width)), 3) for _ in range(5)])
    logits[0] += 0.15
    logits[4] -= 0.05
    if drop_class is not None:
        logits[drop_class] -= 10
    logits *= 40
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return (e / e.sum(axis=0, keepdims=True)).astype(np.float32)


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(11)
    cases = [('all_classes', 120, 150, None), ('no_lymphocyte', 96, 128, 2), ('no_tumor', 80, 100, 1), ('tall', 200, 64, None)]
    listing = []
    for name, h, w, drop in cases:
        prob = random_probabilities(rng, h, w, drop)
        prob.tofile(f'{out}/{name}_prob.bin')
        labels = postprocess(prob)
        labels.tofile(f'{out}/{name}_labels.bin')
        class_probabilities(labels, prob).tofile(f'{out}/{name}_classprob.bin')
        listing.append([name, h, w])
    print(json.dumps(listing))


if __name__ == '__main__':
    main()
