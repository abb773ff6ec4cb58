// Instance labels: the paper's class encoding in the id (id mod 3), connected-component labelling,
// small-object removal and per-object measurements, all matching scikit-image.
import { assertSingleChannel, createRaster, type LabelMap, type Mask, type PixelArray, type Raster } from './raster.js';

/** 0 tumor, 1 lymphocyte, 2 stroma: the class encoded in a nucleus id as id mod 3. */
export type NucleusClass = 0 | 1 | 2;

export const NUCLEUS_CLASS_NAMES = ['tumor', 'lymphocyte', 'stroma'] as const;

export type Connectivity = 4 | 8;

/** The class of a (positive) nucleus id. */
export function classOfId(id: number): NucleusClass {
  if (!Number.isInteger(id) || id <= 0) throw new RangeError(`nucleus id must be a positive integer, got ${id}`);
  return (id % 3) as NucleusClass;
}

/** The id of the k-th (k ≥ 1) object of a class: tumor 3k, lymphocyte 3k−2, stroma 3k−1. */
export function idForClass(nucleusClass: NucleusClass, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`object number must be a positive integer, got ${k}`);
  return nucleusClass === 0 ? 3 * k : 3 * k - 3 + nucleusClass;
}

/**
 * Combines one label map per class (ids 1..K_c each, [tumor, lymphocyte, stroma]) into one
 * class-encoded map, as the paper's post-processing does. Where maps overlap the later class wins.
 */
export function encodeClassLabels(byClass: readonly [LabelMap, LabelMap, LabelMap]): LabelMap {
  const { width, height } = byClass[0];
  const out = new Int32Array(width * height);
  byClass.forEach((labels, nucleusClass) => {
    assertLabelShape(labels, width, height);
    const offset = nucleusClass === 0 ? 0 : nucleusClass - 3;
    const data = labels.data;
    for (let i = 0; i < data.length; i++) if (data[i] > 0) out[i] = 3 * data[i] + offset;
  });
  return createRaster(out, width, height);
}

/** The pixels of one class in a class-encoded label map. */
export function classMask(labels: LabelMap, nucleusClass: NucleusClass): Mask {
  assertSingleChannel(labels, 'class mask');
  const data = labels.data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) if (data[i] > 0 && data[i] % 3 === nucleusClass) out[i] = 1;
  return createRaster(out, labels.width, labels.height);
}

/**
 * Connected components of the nonzero pixels, numbered 1..count in raster order of each
 * component's first pixel (skimage.measure.label of a boolean image).
 */
export function labelComponents(mask: Raster, connectivity: Connectivity): { labels: LabelMap; count: number } {
  assertSingleChannel(mask, 'connected components');
  const source = mask.data;
  const binary = new Uint8Array(source.length);
  for (let i = 0; i < source.length; i++) if (source[i] !== 0) binary[i] = 1;
  return labelRegions(binary, mask.width, mask.height, connectivity);
}

/**
 * Connected regions of equal nonzero value, each one object, numbered as labelComponents does
 * (skimage.measure.label(map, background=0, connectivity=1 or 2)).
 */
export function labelEqualValue(map: Raster, connectivity: Connectivity): { labels: LabelMap; count: number } {
  assertSingleChannel(map, 'connected components');
  return labelRegions(map.data, map.width, map.height, connectivity);
}

// Two-pass labelling with union-find over provisional labels. The union keeps the smaller label as
// root; provisional labels grow in raster order, so every root is its region's first pixel and the
// final numbering follows raster order.
function labelRegions(values: PixelArray, width: number, height: number, connectivity: Connectivity): { labels: LabelMap; count: number } {
  const labels = new Int32Array(width * height);
  const parent = new Int32Array(width * height + 1);
  let next = 1;

  const find = (label: number): number => {
    while (parent[label] !== label) {
      parent[label] = parent[parent[label]];
      label = parent[label];
    }
    return label;
  };
  const union = (a: number, b: number): number => {
    let rootA = find(a);
    let rootB = find(b);
    if (rootA > rootB) [rootA, rootB] = [rootB, rootA];
    parent[rootB] = rootA;
    return rootA;
  };

  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const v = values[i];
      if (v === 0) continue;
      const west = x > 0 && values[i - 1] === v;
      const north = y > 0 && values[i - width] === v;
      let label: number;
      if (connectivity === 4) {
        if (north) label = west ? union(labels[i - width], labels[i - 1]) : labels[i - width];
        else if (west) label = labels[i - 1];
        else label = 0;
      } else if (north) {
        // North touches every other earlier neighbour, so they already share its region.
        label = labels[i - width];
      } else {
        const northEast = y > 0 && x + 1 < width && values[i - width + 1] === v;
        const northWest = y > 0 && x > 0 && values[i - width - 1] === v;
        if (northEast) {
          label = labels[i - width + 1];
          if (northWest) label = union(label, labels[i - width - 1]);
          else if (west) label = union(label, labels[i - 1]);
        } else if (northWest) label = labels[i - width - 1];
        else if (west) label = labels[i - 1];
        else label = 0;
      }
      if (label === 0) {
        label = next++;
        parent[label] = label;
      }
      labels[i] = label;
    }
  }

  const final = new Int32Array(next);
  let count = 0;
  for (let label = 1; label < next; label++) {
    const root = find(label);
    final[label] = root === label ? ++count : final[root];
  }
  for (let i = 0; i < labels.length; i++) labels[i] = final[labels[i]];
  return { labels: createRaster(labels, width, height), count };
}

/**
 * skimage.morphology.remove_small_objects: zeroes every object of fewer than minSize pixels. A Mask
 * (Uint8Array) is binary and its objects are its connected components under `connectivity`; any
 * other raster is a label map whose objects are its ids, whatever their connectivity.
 */
export function removeSmallObjects<T extends PixelArray>(input: Raster<T>, minSize: number, connectivity: Connectivity = 4): Raster<T> {
  assertSingleChannel(input, 'remove small objects');
  const objects = input.data instanceof Uint8Array ? labelComponents(input, connectivity).labels.data : input.data;
  const sizes = new Float64Array(maxLabel(createRaster(objects, input.width, input.height)) + 1);
  for (let i = 0; i < objects.length; i++) sizes[objects[i]]++;
  const out = input.data.slice() as T;
  for (let i = 0; i < objects.length; i++) if (sizes[objects[i]] < minSize) out[i] = 0;
  return createRaster(out, input.width, input.height);
}

/** Renumbers the ids present to 1..count, keeping their order (skimage relabel_sequential). */
export function relabelSequential(labels: Raster): { labels: LabelMap; count: number } {
  assertSingleChannel(labels, 'relabel');
  const data = labels.data;
  const maxId = maxLabel(labels);
  const newId = new Int32Array(maxId + 1);
  for (let i = 0; i < data.length; i++) newId[data[i]] = 1;
  newId[0] = 0;
  let count = 0;
  for (let id = 1; id <= maxId; id++) if (newId[id] !== 0) newId[id] = ++count;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = newId[data[i]];
  return { labels: createRaster(out, labels.width, labels.height), count };
}

export interface RegionProps {
  readonly id: number;
  /** Number of pixels. */
  readonly area: number;
  /** [minRow, minCol, maxRow, maxCol), the max exclusive, as skimage's bbox. */
  readonly bbox: readonly [number, number, number, number];
  /** Mean [row, col] of the pixels, as skimage's centroid. */
  readonly centroid: readonly [number, number];
}

/** Area, bounding box and centroid of every id present, in increasing id order. */
export function regionProps(labels: Raster): RegionProps[] {
  assertSingleChannel(labels, 'region properties');
  const { width, data } = labels;
  const maxId = maxLabel(labels);
  const area = new Float64Array(maxId + 1);
  const sumRow = new Float64Array(maxId + 1);
  const sumCol = new Float64Array(maxId + 1);
  const minRow = new Int32Array(maxId + 1).fill(labels.height);
  const minCol = new Int32Array(maxId + 1).fill(width);
  const maxRow = new Int32Array(maxId + 1).fill(-1);
  const maxCol = new Int32Array(maxId + 1).fill(-1);
  for (let i = 0; i < data.length; i++) {
    const id = data[i];
    if (id === 0) continue;
    const row = Math.floor(i / width);
    const col = i - row * width;
    area[id]++;
    sumRow[id] += row;
    sumCol[id] += col;
    if (row < minRow[id]) minRow[id] = row;
    if (row > maxRow[id]) maxRow[id] = row;
    if (col < minCol[id]) minCol[id] = col;
    if (col > maxCol[id]) maxCol[id] = col;
  }
  const props: RegionProps[] = [];
  for (let id = 1; id <= maxId; id++) {
    if (area[id] === 0) continue;
    props.push({
      id,
      area: area[id],
      bbox: [minRow[id], minCol[id], maxRow[id] + 1, maxCol[id] + 1],
      centroid: [sumRow[id] / area[id], sumCol[id] / area[id]],
    });
  }
  return props;
}

/** The largest id in a label map (0 when empty); labels must be non-negative integers. */
export function maxLabel(labels: Raster): number {
  const data = labels.data;
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const id = data[i];
    if (id > max) max = id;
    else if (id < 0) throw new RangeError(`label maps hold non-negative ids, found ${id}`);
  }
  if (!Number.isInteger(max)) throw new RangeError(`label maps hold integer ids, found ${max}`);
  return max;
}

function assertLabelShape(labels: LabelMap, width: number, height: number): void {
  assertSingleChannel(labels, 'label encoding');
  if (labels.width !== width || labels.height !== height) {
    throw new RangeError(`label maps differ in size: ${labels.width}×${labels.height} and ${width}×${height}`);
  }
}
