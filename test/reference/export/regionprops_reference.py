"""Reference values for the export tests, from scikit-image 0.19 and scipy.

Reads a JSON job from stdin: {"labels": path, "image": path or null, "shape": [rows, cols],
"hed_output": path or null}. The label map is a raw little-endian int32 file, the image raw uint8 RGB.
Writes to stdout a JSON list, one entry per region (skimage.measure.regionprops order): label, area,
centroid (row, col), perimeter, equivalent_diameter, eccentricity, solidity, the hole-filled area
(scipy binary_fill_holes) and, with an image, the mean haematoxylin and eosin of skimage.color.rgb2hed.
With hed_output, also writes rgb2hed of the whole image there as raw float64 (rows, cols, 3).
"""
import json
import sys

import numpy as np
from scipy import ndimage as ndi
from skimage import color, measure


def main():
    job = json.load(sys.stdin)
    rows, cols = job['shape']
    labels = np.fromfile(job['labels'], dtype='<i4').reshape(rows, cols)
    hed = None
    if job.get('image'):
        image = np.fromfile(job['image'], dtype=np.uint8).reshape(rows, cols, 3)
        hed = color.rgb2hed(image)
        if job.get('hed_output'):
            hed.astype('<f8').tofile(job['hed_output'])
    out = []
    for region in measure.regionprops(labels):
        entry = {
            'label': int(region.label),
            'area': float(region.area),
            'centroid': [float(v) for v in region.centroid],
            'perimeter': float(region.perimeter),
            'equivalent_diameter': float(region.equivalent_diameter),
            'eccentricity': float(region.eccentricity),
            'solidity': float(region.solidity),
            'filled_area': int(ndi.binary_fill_holes(region.image).sum()),
        }
        if hed is not None:
            pixels = hed[region.coords[:, 0], region.coords[:, 1]]
            entry['mean_haematoxylin'] = float(pixels[:, 0].mean())
            entry['mean_eosin'] = float(pixels[:, 1].mean())
        out.append(entry)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
