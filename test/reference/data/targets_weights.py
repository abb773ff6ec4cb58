"""Independent reference for the training targets and weight maps (REFERENCE_SPEC §2-3).

Stage A and Stage B of §2 exactly as written (per-id cross dilation/erosion into an RGB label, then
LabelBinarization2's colour thresholds and disk(2) ring), and the weight map of §3 by brute force:
for every nucleus a full-image distance transform to its traced outer boundary, no windows.

Reads a JSON job from stdin: {"tasks": [{"label": path, "crop": [top, left, height, width] | null,
"output": prefix, "weights": bool}]}. Writes <prefix>.target.bin (uint8) and, with weights,
<prefix>.weight.bin and <prefix>.weight_q.bin (float64, full precision and 8-bit quantised).
"""
import json
import sys

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage import measure, morphology


def read_labels(path, crop):
    labels = np.array(Image.open(path)).astype(np.int64)
    if crop:
        top, left, height, width = crop
        labels = labels[top:top + height, left:left + width]
    return labels


def label_with_contours(labels):
    """Stage A: the RGB label (prepare_data.py), looping over the ids inside padded bounding boxes."""
    contour = np.zeros(labels.shape, dtype=bool)
    for i, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None:
            continue
        window = tuple(slice(max(s.start - 2, 0), s.stop + 2) for s in box)
        nucleus = (labels[window] == i).astype(np.uint8)
        band = morphology.dilation(nucleus) & (1 - morphology.erosion(nucleus))
        contour[window] |= band.astype(bool)
    rgb = np.zeros(labels.shape + (3,), dtype=np.uint8)
    for channel, remainder in enumerate((0, 1, 2)):
        rgb[..., channel] = 255 * (((labels % 3 == remainder) & (labels > 0)) | contour)
    return rgb


def label_binarization2(rgb):
    """Stage B: colour thresholds, then the disk(2) ring around all interiors becomes contour."""
    r, g, b = (rgb[..., c].astype(np.float64) for c in range(3))
    hi, lo = 0.5 * 255, 0.4 * 255
    target = np.zeros(rgb.shape[:2], dtype=np.uint8)
    target[(r > hi) & (g < lo) & (b < lo)] = 1
    target[(r < lo) & (g > hi) & (b < lo)] = 2
    target[(r < lo) & (g < lo) & (b > hi)] = 3
    inside = target > 0
    ring = morphology.binary_dilation(inside, morphology.disk(2)) & ~inside
    target[ring] = 4
    return target


def first_outer_boundary(mask):
    """bwboundaries(mask){1}: the outer 8-connected contour of the first fragment in column-major order."""
    fragments = measure.label(mask.T, connectivity=2).T
    first = fragments == 1
    filled = ndi.binary_fill_holes(first)
    return filled & ~ndi.binary_erosion(filled, border_value=0)


def weight_map(labels):
    ids = np.unique(labels)
    ids = ids[ids > 0]
    if len(ids) < 2:
        return np.ones(labels.shape)
    d1 = np.full(labels.shape, np.inf)
    d2 = np.full(labels.shape, np.inf)
    for i in ids:
        d = ndi.distance_transform_edt(~first_outer_boundary(labels == i))
        d2 = np.minimum(d2, np.maximum(d1, d))
        d1 = np.minimum(d1, d)
    return 1 + 10 * np.exp(-((d1 + d2) ** 2) / 50)


def main():
    job = json.load(sys.stdin)
    for task in job['tasks']:
        labels = read_labels(task['label'], task.get('crop'))
        label_binarization2(label_with_contours(labels)).tofile(task['output'] + '.target.bin')
        if task.get('weights'):
            weight = weight_map(labels)
            weight.astype(np.float64).tofile(task['output'] + '.weight.bin')
            # MATLAB's imwrite rounds halves away from zero; the weights are positive.
            (np.floor(20 * weight + 0.5) / 20).tofile(task['output'] + '.weight_q.bin')


if __name__ == '__main__':
    main()
