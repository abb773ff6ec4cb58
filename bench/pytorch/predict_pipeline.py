"""Python side of bench/predict/predict-benchmark.ts: `histonuc predict` on one image, written the way
a PyTorch / scikit-image user would write it, stage by stage:
  read     Pillow (no forced RGB conversion, as the reference test.py), to a uint8 H x W x 3 array
  forward  normalisation as in training (REFERENCE_SPEC §4), the §10.2 sliding window (224 / 80,
           tiles batched 4 at a time as histonuc's default, each tile writing the logits of its
           centre), softmax; ResUNet34 of models.py with the checkpoint's weights, eval mode
  post     §10.4 in numpy / scipy / scikit-image with the majority-class defect fixed (exact
           counting, vectorised with bincount), and each nucleus's mean class probabilities
  exports  the 16-bit label PNG, the overlay PNG (inner boundaries in class colours), the per-nucleus
           CSV (skimage.measure.regionprops, rgb2hed stain means; histonuc's columns), a QuPath
           GeoJSON (skimage.measure.find_contours) and a JSON summary; each file written to a
           temporary name and renamed, as histonuc writes them

It runs as a worker so that the model is loaded once, as histonuc's Predictor is:
  predict_pipeline.py CONFIG_JSON
CONFIG_JSON: {"checkpoint": histonuc .safetensors, "threads": n, "variant": "fp32" | "bf16" | "fp32-cl" |
"bf16-cl"} (bf16: torch.autocast bfloat16; cl: channels-last memory format, model and inputs). Prints
{"ready": ..., "load_s": ...}, then answers each stdin line {"image": path, "out": dir, "map": float32
5xHxW file or null} with one JSON line: the stage times in seconds, the minor page faults of each
stage and the nucleus count. With "map", the post-processing and exports work on that probability map
instead of the network's (the forward pass still runs and is timed; the map is read untimed). An
empty line ends it.
"""
import csv
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from skimage import color, measure, morphology, segmentation

sys.path.insert(0, os.path.dirname(__file__))
import models  # noqa: E402

TILE, OVERLAP, BATCH = 224, 80, 4
CLASS_NAMES = ('tumor', 'lymphocyte', 'stroma')
DISPLAY_NAMES = ('Tumor', 'Lymphocyte', 'Stroma')
COLOURS = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)
SAFETENSORS_DTYPES = {'F32': np.float32, 'F16': np.float16, 'I64': np.int64, 'I32': np.int32, 'U8': np.uint8}


def read_checkpoint(path):
    """A histonuc checkpoint: its header and the model's state dict (the safetensors package is not
    installed here, and the format is simple)."""
    with open(path, 'rb') as f:
        size = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    metadata = json.loads(header.pop('__metadata__')['histonuc'])
    state = {}
    for name, entry in header.items():
        if not name.startswith('model.'):
            continue
        begin, end = entry['data_offsets']
        if entry['dtype'] == 'BF16':
            raw = np.frombuffer(data[begin:end], np.uint16).astype(np.uint32) << 16
            array = raw.view(np.float32)
        else:
            array = np.frombuffer(data[begin:end], SAFETENSORS_DTYPES[entry['dtype']])
        state[name[len('model.'):]] = torch.from_numpy(array.reshape(entry['shape']).copy())
    return metadata, state


def load_model(path):
    metadata, state = read_checkpoint(path)
    if metadata['model'] != 'resunet34':
        raise SystemExit(f'{path}: a {metadata["model"]} checkpoint; this benchmark runs ResUNet34')
    model = models.ResUNet34()
    model.load_state_dict({name: value.to(model.state_dict()[name].dtype) for name, value in state.items()})
    return metadata, model.eval()


def read_image(path):
    image = np.array(Image.open(path))
    if image.ndim != 3 or image.shape[2] != 3:
        raise SystemExit(f'{path}: expected an RGB image, got shape {image.shape}')
    return image


def axis_plan(length):
    """§10.2 along one axis: the padded length and (start, keep from, keep to) of every tile."""
    stride = TILE - OVERLAP
    padded = length + stride - (length - TILE) % stride if length > TILE else TILE
    margin = OVERLAP // 2
    starts = range(0, padded - OVERLAP, stride)
    return padded, [(s, s + margin if s > 0 else 0, s + TILE - margin if s + TILE < padded else padded) for s in starts]


def forward(model, image, mean, std, bf16, channels_last):
    height, width = image.shape[:2]
    x = torch.from_numpy(image).permute(2, 0, 1)[None].float()
    x = (x - mean) / std
    padded_h, rows = axis_plan(height)
    padded_w, cols = axis_plan(width)
    x = F.pad(x, (0, padded_w - width, 0, padded_h - height))
    tiles = [(r, c) for r in rows for c in cols]
    logits = None
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
        for first in range(0, len(tiles), BATCH):
            batch = tiles[first:first + BATCH]
            inputs = torch.cat([x[:, :, r[0]:r[0] + TILE, c[0]:c[0] + TILE] for r, c in batch])
            if channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            out = model(inputs).float()
            if logits is None:
                logits = torch.empty(out.shape[1], padded_h, padded_w)
            for k, ((ry, r0, r1), (cx, c0, c1)) in enumerate(batch):
                logits[:, r0:r1, c0:c1] = out[k, :, r0 - ry:r1 - ry, c0 - cx:c1 - cx]
    return torch.softmax(logits, 0)[:, :height, :width].contiguous().numpy()


def postprocess(prob, min_size=20):
    """§10.4, majority class by exact counting; returns the label map and per-id class probabilities."""
    pred = np.argmax(prob, axis=0)
    inside = (pred >= 1) & (pred <= 3)
    comp, count = measure.label(inside, connectivity=2, return_num=True)
    votes = np.bincount(comp[inside] * 3 + pred[inside] - 1, minlength=(count + 1) * 3).reshape(count + 1, 3)
    majority = np.argmax(votes, axis=1)
    component_class = np.where(inside, majority[comp], -1)
    combined = np.zeros(pred.shape, np.int32)
    for c, offset in zip(range(3), (0, -2, -1)):
        kept = morphology.remove_small_objects(component_class == c, min_size=min_size, connectivity=1)
        labelled = measure.label(kept, connectivity=2)
        combined[kept] = 3 * labelled[kept] + offset
    labels = morphology.dilation(combined, morphology.disk(1))
    ids = labels.ravel()
    sums = np.stack([np.bincount(ids, weights=prob[c].ravel(), minlength=labels.max() + 1) for c in (1, 2, 3)], 1)
    totals = sums.sum(1, keepdims=True)
    probabilities = np.divide(sums, totals, out=np.zeros_like(sums), where=totals > 0)
    return labels, probabilities


def write_atomic(path, write):
    temporary = f'{path}.tmp-{os.getpid()}'
    write(temporary)
    os.replace(temporary, path)


def outline(region):
    """The longest contour of the nucleus's (padded) mask, closed, as counter-clockwise [x, y] pairs."""
    mask = np.pad(region.image, 1)
    contour = max(measure.find_contours(mask.astype(np.uint8), 0.5), key=len)
    top, left = region.bbox[0] - 1, region.bbox[1] - 1
    ring = [[left + c + 0.5, top + r + 0.5] for r, c in contour]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))
    return ring if area > 0 else ring[::-1]


def export(labels, probabilities, image, out_dir, name, mpp):
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, name)
    write_atomic(f'{base}_label.png', lambda p: Image.fromarray(labels.astype(np.uint16)).save(p, format='PNG'))

    overlay = image.copy()
    boundary = segmentation.find_boundaries(labels, mode='inner')
    overlay[boundary] = COLOURS[labels[boundary] % 3]
    write_atomic(f'{base}_overlay.png', lambda p: Image.fromarray(overlay).save(p, format='PNG'))

    hed = color.rgb2hed(image)
    columns = ['id', 'class', 'probability', *(f'probability_{n}' for n in CLASS_NAMES), 'centroid_x', 'centroid_y',
               'area_px', 'perimeter_px', 'equivalent_diameter_px', 'area_um2', 'perimeter_um', 'equivalent_diameter_um',
               'eccentricity', 'solidity', 'mean_haematoxylin', 'mean_eosin']
    rows, features, counts = [], [], [0, 0, 0]
    for region in measure.regionprops(labels, intensity_image=hed[..., :2]):
        id_, c = int(region.label), int(region.label) % 3
        p = probabilities[id_]
        row_c, col_c = region.centroid
        h, e = region.mean_intensity
        values = [id_, CLASS_NAMES[c], p[c], *p, col_c, row_c, region.area, region.perimeter, region.equivalent_diameter,
                  region.area * mpp * mpp, region.perimeter * mpp, region.equivalent_diameter * mpp,
                  region.eccentricity, region.solidity, h, e]
        rows.append(values)
        counts[c] += 1
        measurements = {'Nucleus ID': id_, 'Class probability': p[c], 'Probability: Tumor': p[0], 'Probability: Lymphocyte': p[1],
                        'Probability: Stroma': p[2], 'Area px^2': region.area, 'Perimeter px': region.perimeter,
                        'Equivalent diameter px': region.equivalent_diameter, 'Area µm^2': region.area * mpp * mpp,
                        'Perimeter µm': region.perimeter * mpp, 'Equivalent diameter µm': region.equivalent_diameter * mpp,
                        'Eccentricity': region.eccentricity, 'Solidity': region.solidity, 'Haematoxylin mean': h, 'Eosin mean': e}
        features.append({'type': 'Feature', 'id': id_, 'geometry': {'type': 'Polygon', 'coordinates': [outline(region)]},
                         'properties': {'objectType': 'detection',
                                        'classification': {'name': DISPLAY_NAMES[c], 'color': COLOURS[c].tolist()},
                                        'measurements': {k: float(v) for k, v in measurements.items()}}})

    def write_csv(path):
        with open(path, 'w', newline='') as f:
            writer = csv.writer(f, lineterminator='\n')
            writer.writerow(columns)
            writer.writerows(rows)
    write_atomic(f'{base}_nuclei.csv', write_csv)

    def write_geojson(path):
        with open(path, 'w') as f:
            f.write('{"type":"FeatureCollection","features":[\n')
            f.write(',\n'.join(json.dumps(feature) for feature in features))
            f.write('\n]}\n')
    write_atomic(f'{base}.geojson', write_geojson)

    total = sum(counts)
    area_px = labels.size
    area_mm2 = area_px * mpp * mpp / 1e6
    per_class = lambda f: {n: f(k) for n, k in zip(CLASS_NAMES, counts)}  # noqa: E731
    summary = {
        'region': {'areaPx': area_px, 'micronsPerPixel': mpp, 'areaMm2': area_mm2},
        'counts': {'total': total, **per_class(lambda k: k)},
        'fractions': per_class(lambda k: k / total if total else None),
        'densityPerMegapixel': {'total': total / (area_px / 1e6), **per_class(lambda k: k / (area_px / 1e6))},
        'densityPerMm2': {'total': total / area_mm2, **per_class(lambda k: k / area_mm2)},
    }

    def write_summary(path):
        with open(path, 'w') as f:
            f.write(json.dumps(summary, indent=2) + '\n')
    write_atomic(f'{base}_summary.json', write_summary)
    return total


def main():
    config = json.loads(sys.argv[1])
    torch.set_num_threads(config['threads'])
    variant = config['variant']
    bf16, channels_last = variant.startswith('bf16'), variant.endswith('-cl')
    start = time.perf_counter()
    metadata, model = load_model(config['checkpoint'])
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    load_s = time.perf_counter() - start
    norm = metadata['normalisation']
    mean = torch.tensor(norm['mean']).view(1, 3, 1, 1) * 255
    std = torch.tensor(norm['std']).view(1, 3, 1, 1) * 255
    print(json.dumps({'ready': True, 'load_s': load_s, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)

    for line in sys.stdin:
        if not line.strip():
            break
        job = json.loads(line)
        times, faults = {}, {}
        lap_time, lap_faults = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt

        def lap(stage):
            nonlocal lap_time, lap_faults
            now, now_faults = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            times[stage], faults[stage] = now - lap_time, now_faults - lap_faults
            lap_time, lap_faults = now, now_faults

        image = read_image(job['image'])
        lap('read')
        prob = forward(model, image, mean, std, bf16, channels_last)
        lap('forward')
        if job.get('map'):
            prob = np.fromfile(job['map'], np.float32).reshape(prob.shape)
            lap('map')
        labels, probabilities = postprocess(prob)
        lap('post')
        nuclei = export(labels, probabilities, image, job['out'], os.path.splitext(os.path.basename(job['image']))[0], metadata['mpp'])
        lap('exports')
        print(json.dumps({'times': times, 'faults': faults, 'nuclei': nuclei}), flush=True)


if __name__ == '__main__':
    main()
