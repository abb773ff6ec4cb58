"""Golden outputs for the image-toolkit tests, from scikit-image and scipy.

Reads a JSON job from stdin: {"tasks": [{"op", "input", "dtype", "shape", "params", "output"}]}.
Each input is a raw little-endian array file. Each task's results are written as raw files
<output>.<k>.bin and described on stdout as JSON: [[{"path", "dtype", "shape"}, ...], ...].
bool results come back as uint8 and integer results as int32.
"""
import json
import sys

import numpy as np
from scipy import ndimage as ndi
from skimage import measure, morphology, segmentation


def footprint(name):
    if name == 'cross':
        return ndi.generate_binary_structure(2, 1)
    if name == 'square3':
        return np.ones((3, 3), dtype=bool)
    if name.startswith('disk'):
        return morphology.disk(int(name[4:]))
    raise ValueError(f'unknown footprint {name}')


def regionprops(labels):
    rows = [[r.label, r.area, *r.bbox, *r.centroid] for r in measure.regionprops(labels)]
    return np.array(rows, dtype=np.float64).reshape(-1, 8)


def edt(mask, indices=False):
    if indices:
        distance, index = ndi.distance_transform_edt(mask, return_indices=True)
        return distance, index
    return ndi.distance_transform_edt(mask)


def reinhard(image, target_mean, target_std):
    """Reinhard et al. 2001 colour transfer in Ruderman's l-alpha-beta space (float64 reference)."""
    rgb_to_lms = np.array([[0.3811, 0.5783, 0.0402], [0.1967, 0.7244, 0.0782], [0.0241, 0.1288, 0.8444]])
    lms_to_lab = np.diag([1 / np.sqrt(3), 1 / np.sqrt(6), 1 / np.sqrt(2)]) @ np.array(
        [[1, 1, 1], [1, 1, -2], [1, -1, 0]])
    rgb = image[..., :3].reshape(-1, 3).astype(np.float64)
    lms = np.log10(np.maximum(rgb @ rgb_to_lms.T, 1.0))
    lab = lms @ lms_to_lab.T
    mean, std = lab.mean(axis=0), lab.std(axis=0)
    lab = (lab - mean) / np.where(std > 0, std, 1) * np.array(target_std) + np.array(target_mean)
    lms = 10 ** (lab @ np.linalg.inv(lms_to_lab).T)
    out = lms @ np.linalg.inv(rgb_to_lms).T
    return np.clip(out, 0, 255).reshape(image.shape[:2] + (3,)), np.stack([mean, std])


def map_coordinates(image, rows, cols, order):
    """Interpolation at (row, col) points, each channel separately, the edges extended."""
    image = image.astype(np.float64)
    planes = image[..., np.newaxis] if image.ndim == 2 else image
    return np.stack([ndi.map_coordinates(planes[..., c], [np.array(rows), np.array(cols)], order=order, mode='nearest')
                     for c in range(planes.shape[2])], axis=-1)


OPS = {
    'label': lambda a, connectivity: measure.label(a, background=0, connectivity=connectivity),
    'remove_small_objects': lambda a, min_size, connectivity, binary: morphology.remove_small_objects(
        a.astype(bool) if binary else a, min_size=min_size, connectivity=connectivity),
    'regionprops': regionprops,
    'relabel_sequential': lambda a: segmentation.relabel_sequential(a)[0],
    'binary_dilation': lambda a, fp: morphology.binary_dilation(a.astype(bool), footprint(fp)),
    'binary_erosion': lambda a, fp: morphology.binary_erosion(a.astype(bool), footprint(fp)),
    'dilation': lambda a, fp: morphology.dilation(a, footprint(fp)),
    'erosion': lambda a, fp: morphology.erosion(a, footprint(fp)),
    'find_boundaries': lambda a, mode, connectivity: segmentation.find_boundaries(
        a, mode=mode, connectivity=connectivity),
    'edt': edt,
    'reinhard': reinhard,
    'map_coordinates': map_coordinates,
}


def main():
    job = json.load(sys.stdin)
    described = []
    for task in job['tasks']:
        array = np.fromfile(task['input'], dtype=task['dtype']).reshape(task['shape'])
        results = OPS[task['op']](array, **task.get('params', {}))
        if not isinstance(results, tuple):
            results = (results,)
        files = []
        for k, result in enumerate(results):
            result = np.asarray(result)
            if result.dtype == bool:
                result = result.astype(np.uint8)
            elif np.issubdtype(result.dtype, np.integer) and result.dtype not in (np.uint8, np.uint16):
                result = result.astype(np.int32)
            path = f"{task['output']}.{k}.bin"
            np.ascontiguousarray(result).tofile(path)
            files.append({'path': path, 'dtype': result.dtype.name, 'shape': list(result.shape)})
        described.append(files)
    json.dump(described, sys.stdout)


if __name__ == '__main__':
    main()
