"""The reference's sequential augmentation pipeline (REFERENCE_SPEC §6), in Python, for speed comparison.

Per sample, as the reference's get_transforms chain does it on a 250×250 training patch: PIL
resize (bilinear, padded back when shrinking), flips, PIL affine (nearest), B-spline elastic
deformation (numpy displacement field + scipy linear interpolation per channel, standing in for
SimpleITK, which this Python lacks), PIL rotation (bilinear), random 224 crop, LabelBinarization2,
ToTensor and Normalize. Image, weight map and RGB label are transformed with the same draws.

Usage: reference_pipeline.py IMAGES_DIR LABELS_DIR IMAGE_COUNT SAMPLES PROCESSES
Prints one JSON line: {"samples": N, "seconds": S, "samples_per_second": R, "processes": P}.
"""
import json
import multiprocessing
import os
import sys
import time

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'reference', 'data'))
from targets_weights import label_binarization2, label_with_contours  # noqa: E402

PATCH = 250
CROP = 224
MEAN = np.array([0.8, 0.68, 0.82])
STD = np.array([0.19, 0.23, 0.18])


def patches(images_dir, labels_dir, count):
    names = sorted(n[:-4] for n in os.listdir(images_dir) if n.endswith('.png'))[:count]
    out = []
    for name in names:
        image = np.array(Image.open(os.path.join(images_dir, name + '.png')).convert('RGB'))
        labels = np.array(Image.open(os.path.join(labels_dir, name + '_label.png'))).astype(np.int64)
        rgb_label = label_with_contours(labels)
        weight = np.full(labels.shape, 20, dtype=np.uint8)
        height, width = labels.shape
        starts = lambda n: list(range(0, n - PATCH + 1, PATCH - int(np.ceil((4 * PATCH - n) / 3))))
        for top in starts(height):
            for left in starts(width):
                window = (slice(top, top + PATCH), slice(left, left + PATCH))
                out.append((Image.fromarray(image[window]), Image.fromarray(weight[window]), Image.fromarray(rgb_label[window])))
    return out


def bspline_displacement(shape, params, mesh=6):
    """Cubic B-spline displacement over a (mesh+3)² control grid spanning the image plus one cell."""
    height, width = shape
    grid = mesh + 3

    def weights(coordinate, extent):
        t = (coordinate + 0.5) / (extent / mesh) + 1
        base = np.floor(t).astype(int)
        f = t - base
        w = np.stack([(1 - f) ** 3 / 6, (3 * f ** 3 - 6 * f ** 2 + 4) / 6, (-3 * f ** 3 + 3 * f ** 2 + 3 * f + 1) / 6, f ** 3 / 6])
        matrix = np.zeros((len(coordinate), grid))
        for k in range(4):
            np.add.at(matrix, (np.arange(len(coordinate)), np.clip(base - 1 + k, 0, grid - 1)), w[k])
        return matrix

    wy = weights(np.arange(height, dtype=float), height)
    wx = weights(np.arange(width, dtype=float), width)
    dx = wy @ params[:grid * grid].reshape(grid, grid) @ wx.T
    dy = wy @ params[grid * grid:].reshape(grid, grid) @ wx.T
    return dx, dy


def elastic(images, rng):
    width, height = images[0].size
    params = rng.normal(size=2 * 81) * 15
    params[:54] = 0
    dx, dy = bspline_displacement((height, width), params)
    rows, cols = np.mgrid[0:height, 0:width].astype(float)
    coords = [rows + dy, cols + dx]
    out = []
    for image in images:
        array = np.array(image)
        planes = array[..., np.newaxis] if array.ndim == 2 else array
        warped = np.stack([ndi.map_coordinates(planes[..., c], coords, order=1, cval=0) for c in range(planes.shape[2])], axis=-1)
        warped = np.clip(warped, 0, 255).astype(np.uint8)
        out.append(Image.fromarray(warped[..., 0] if array.ndim == 2 else warped))
    return out


def augment(sample, rng):
    images = list(sample)
    width, height = images[0].size
    scale = rng.uniform(0.75, 1.5)
    size = (int(width * scale), int(height * scale))
    images = [image.resize(size, Image.BILINEAR) for image in images]
    if scale < 1:
        padded = []
        for image in images:
            canvas = Image.new(image.mode, (width, height))
            canvas.paste(image, ((width - size[0]) // 2, (height - size[1]) // 2))
            padded.append(canvas)
        images = padded
    if rng.uniform() < 0.5:
        images = [image.transpose(Image.FLIP_LEFT_RIGHT) for image in images]
    if rng.uniform() < 0.5:
        images = [image.transpose(Image.FLIP_TOP_BOTTOM) for image in images]
    width, height = images[0].size
    u = rng.uniform(size=4)
    a, b, d, e = 1 + 0.6 * (u[0] - 0.5), 0.6 * (u[1] - 0.5), 0.6 * (u[2] - 0.5), 1 + 0.6 * (u[3] - 0.5)
    c = -a * width / 2 - b * height / 2 + width / 2
    f = -d * width / 2 - e * height / 2 + height / 2
    images = [image.transform((width, height), Image.AFFINE, (a, b, c, d, e, f), Image.NEAREST) for image in images]
    images = elastic(images, rng)
    angle = rng.uniform(-90, 90)
    images = [image.rotate(angle, Image.BILINEAR) for image in images]
    x1 = rng.integers(0, width - CROP + 1)
    y1 = rng.integers(0, height - CROP + 1)
    images = [image.crop((x1, y1, x1 + CROP, y1 + CROP)) for image in images]
    image, weight, label = images
    target = label_binarization2(np.array(label)).astype(np.int64)
    tensor = (np.array(image).astype(np.float32).transpose(2, 0, 1) / 255 - MEAN[:, None, None]) / STD[:, None, None]
    return tensor.astype(np.float32), target, np.array(weight).astype(np.float32) / 20


DATA = []


def run(args):
    seed, count = args
    rng = np.random.default_rng(seed)
    for k in range(count):
        augment(DATA[k % len(DATA)], rng)
    return count


def main():
    images_dir, labels_dir, image_count, samples, processes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    DATA.extend(patches(images_dir, labels_dir, image_count))
    run((0, 4))  # warm-up
    # Forked workers inherit the patches; only seeds and counts travel.
    with multiprocessing.get_context('fork').Pool(processes) as pool:
        pool.map(run, [(0, 1)] * processes)
        start = time.perf_counter()
        done = sum(pool.map(run, [(1 + k, samples // processes) for k in range(processes)]))
        seconds = time.perf_counter() - start
    print(json.dumps({'samples': done, 'seconds': seconds, 'samples_per_second': done / seconds, 'processes': processes}))


if __name__ == '__main__':
    main()
