"""Source datasets for the importer tests, made from images of the paper-format CoNSeP training set by
inverting the class mapping, with the labels an independent importer would produce.

Usage:
  make_import_sources.py consep CONSEP_DIR OUT NAME...   a CoNSeP release: OUT/Train/{Images,Labels}
      holds the first name, OUT/Test/ the others. Images are RGBA PNGs; the .mat files hold inst_map,
      type_map, inst_type (except the Test files: type_map only) and inst_centroid, as doubles,
      compressed. In the Train files type_map disagrees with inst_type on some nuclei, and in the
      Test files some nucleus pixels have type 0 or a minority type, which must not decide.
  make_import_sources.py generic CONSEP_DIR OUT NAME...   the generic layout with non-contiguous
      instance ids: images/, instances/ (16-bit PNG), types/ (a JSON object for the first name, a
      16-bit type-map PNG for the others) and classes.json with codes 10 tumor, 20 lymphocyte, 30 and
      40 stroma.
  make_import_sources.py mat OUT_FILE    a .mat from a JSON object on stdin: {name: [[...], ...]},
      written as doubles (uncompressed).
Both dataset modes also write OUT/expected/<name>_label.png: class of each nucleus from the original
id mod 3, nuclei of a class numbered in increasing source id, id 3k tumor, 3k-2 lymphocyte, 3k-1 stroma.
"""
import json
import os
import sys

import numpy as np
import scipy.io
from PIL import Image

CONSEP_CODES = {0: [3, 4], 1: [2], 2: [1, 5, 6, 7]}  # class -> CoNSeP type codes
GENERIC_CODES = {0: [10], 1: [20], 2: [30, 40]}


def source_nuclei(consep_dir, name, seed):
    """The image, the original label map and, per original id, a new source id (a permutation)."""
    image = np.array(Image.open(f'{consep_dir}/images/{name}.png').convert('RGB'))
    labels = np.array(Image.open(f'{consep_dir}/labels/{name}_label.png')).astype(np.int64)
    ids = np.unique(labels[labels > 0])
    rng = np.random.default_rng(seed)
    return image, labels, ids, rng


def expected_labels(source, classes_by_source_id):
    lookup = np.zeros(source.max() + 1, dtype=np.uint16)
    for c, offset in ((0, 0), (1, -2), (2, -1)):
        for k, sid in enumerate(sorted(s for s, cls in classes_by_source_id.items() if cls == c), start=1):
            lookup[sid] = 3 * k + offset
    return lookup[source]


def pixels_by_id(labels):
    """Flat pixel indices of every id: {id: indices}."""
    flat = labels.ravel()
    order = np.argsort(flat, kind='stable')
    ids, starts = np.unique(flat[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    return {int(i): order[a:b] for i, a, b in zip(ids, starts, ends) if i > 0}


def remap(labels, ids, new_ids):
    lookup = np.zeros(labels.max() + 1, dtype=np.int64)
    lookup[ids] = new_ids
    return lookup[labels]


def consep(consep_dir, out, names):
    for index, name in enumerate(names):
        part = 'Train' if index == 0 else 'Test'
        image, labels, ids, rng = source_nuclei(consep_dir, name, index)
        new_ids = rng.permutation(len(ids)) + 1
        inst_map = remap(labels, ids, new_ids)
        classes = {int(n): int(i % 3) for i, n in zip(ids, new_ids)}
        inst_type = np.zeros((len(ids), 1))
        type_map = np.zeros(labels.shape)
        pixels_of = pixels_by_id(inst_map)
        for sid, c in sorted(classes.items()):
            code = rng.choice(CONSEP_CODES[c])
            inst_type[sid - 1, 0] = code
            pixels = pixels_of[sid]
            type_map.flat[pixels] = code
            if part == 'Train' and sid % 5 == 0:
                type_map.flat[pixels] = 7 if c != 2 else 2  # inst_type, not type_map, decides
            if part == 'Test' and len(pixels) >= 8:
                noisy = rng.choice(pixels, size=len(pixels) // 3, replace=False)
                type_map.flat[noisy[: len(noisy) // 2]] = 0
                type_map.flat[noisy[len(noisy) // 2:]] = rng.choice([1, 2, 3, 4, 5, 6, 7])
        rows, cols = np.indices(inst_map.shape)
        area = np.bincount(inst_map.ravel())[1:]
        centroids = np.stack([np.bincount(inst_map.ravel(), weights=v.ravel())[1:] / area for v in (cols, rows)], axis=1)
        variables = {'inst_map': inst_map.astype(np.float64), 'type_map': type_map, 'inst_centroid': centroids}
        if part == 'Train':
            variables['inst_type'] = inst_type
        os.makedirs(f'{out}/{part}/Images', exist_ok=True)
        os.makedirs(f'{out}/{part}/Labels', exist_ok=True)
        rgba = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
        Image.fromarray(rgba, 'RGBA').save(f'{out}/{part}/Images/{name}.png')
        scipy.io.savemat(f'{out}/{part}/Labels/{name}.mat', variables, do_compression=True)
        save_expected(out, name, expected_labels(inst_map, classes))


def generic(consep_dir, out, names):
    for folder in ('images', 'instances', 'types'):
        os.makedirs(f'{out}/{folder}', exist_ok=True)
    with open(f'{out}/classes.json', 'w') as f:
        json.dump({'10': 'tumor', '20': 'lymphocyte', '30': 'stroma', '40': 'stroma'}, f)
    for index, name in enumerate(names):
        image, labels, ids, rng = source_nuclei(consep_dir, name, 10 + index)
        new_ids = 11 + 17 * rng.permutation(len(ids))
        instances = remap(labels, ids, new_ids)
        classes = {int(n): int(i % 3) for i, n in zip(ids, new_ids)}
        codes = {sid: int(rng.choice(GENERIC_CODES[c])) for sid, c in classes.items()}
        Image.fromarray(image).save(f'{out}/images/{name}.png')
        Image.fromarray(instances.astype(np.uint16)).save(f'{out}/instances/{name}.png')
        if index == 0:
            with open(f'{out}/types/{name}.json', 'w') as f:
                json.dump({str(sid): code for sid, code in codes.items()}, f)
        else:
            type_map = remap(instances, np.array(list(codes)), np.array(list(codes.values())))
            Image.fromarray(type_map.astype(np.uint16)).save(f'{out}/types/{name}.png')
        save_expected(out, name, expected_labels(instances, classes))


def save_expected(out, name, labels):
    os.makedirs(f'{out}/expected', exist_ok=True)
    Image.fromarray(labels).save(f'{out}/expected/{name}_label.png')


def main():
    mode = sys.argv[1]
    if mode == 'mat':
        variables = {name: np.array(value, dtype=np.float64) for name, value in json.load(sys.stdin).items()}
        scipy.io.savemat(sys.argv[2], variables, do_compression=False)
    else:
        {'consep': consep, 'generic': generic}[mode](sys.argv[2], sys.argv[3], sys.argv[4:])


if __name__ == '__main__':
    main()
