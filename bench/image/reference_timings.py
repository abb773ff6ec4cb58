"""Times the scikit-image/scipy counterparts of bench/image/toolkit.ts on the same files.

Usage: reference_timings.py <label.png> <image.png> <reference-image.png> <repeats>
Prints JSON {operation: fastest run in milliseconds}.
"""
import json
import sys
import time

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage import measure, morphology, segmentation

sys.path.insert(0, __file__.rsplit('/', 3)[0] + '/test/reference/image')
from skimage_ops import reinhard  # noqa: E402  (the numpy reference of the Reinhard test)


def fastest_ms(run, repeats):
    for _ in range(5):
        run()
    fastest = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        fastest = min(fastest, (time.perf_counter() - start) * 1000)
    return fastest


def main():
    label_path, image_path, reference_path, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    labels = np.array(Image.open(label_path)).astype(np.int32)
    foreground = labels > 0
    image = np.array(Image.open(image_path).convert('RGB'))
    reference = np.array(Image.open(reference_path).convert('RGB'))
    _, target = reinhard(reference, [0, 0, 0], [1, 1, 1])
    operations = {
        'label components (8-conn)': lambda: measure.label(foreground, connectivity=2),
        'label equal values (8-conn)': lambda: measure.label(labels, connectivity=2),
        'remove small objects (20 px)': lambda: morphology.remove_small_objects(foreground, 20),
        'binary dilation disk(1)': lambda: morphology.binary_dilation(foreground, morphology.disk(1)),
        'binary dilation disk(2)': lambda: morphology.binary_dilation(foreground, morphology.disk(2)),
        'binary erosion cross': lambda: morphology.binary_erosion(foreground),
        'grey dilation disk(1)': lambda: morphology.dilation(labels, morphology.disk(1)),
        'distance transform': lambda: ndi.distance_transform_edt(foreground),
        'find boundaries (thick)': lambda: segmentation.find_boundaries(labels),
        'Reinhard transfer': lambda: reinhard(image, target[0], target[1]),
    }
    json.dump({name: fastest_ms(run, repeats) for name, run in operations.items()}, sys.stdout)


if __name__ == '__main__':
    main()
