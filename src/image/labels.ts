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
  return paintRegions(findRegionRuns(mask, connectivity, true));
}

/**
 * Connected regions of equal nonzero value, each one object, numbered as labelComponents does
 * (skimage.measure.label(map, background=0, connectivity=1 or 2)).
 */
export function labelEqualValue(map: Raster, connectivity: Connectivity): { labels: LabelMap; count: number } {
  assertSingleChannel(map, 'connected components');
  return paintRegions(findRegionRuns(map, connectivity, false));
}

/** A raster cut into runs (maximal horizontal spans within one region), with each run's region. */
interface RegionRuns {
  width: number;
  height: number;
  /** Runs of row y are rowFirstRun[y]..rowFirstRun[y + 1] − 1; run k covers columns starts[k]..ends[k] − 1. */
  rowFirstRun: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Region number (1..count, raster order of first pixel) of every run. */
  region: Int32Array;
  count: number;
}

// A run joins the runs of the row above that touch it (overlap, or overlap within one column for
// 8-connectivity) and belong to the same region (any nonzero value for binary input, the same value
// otherwise). A union-find over runs keeps the smaller run as root; runs are numbered in raster
// order, so every root is its region's first run and regions are numbered in raster order, as
// scikit-image numbers them.
function findRegionRuns({ data: values, width, height }: Raster, connectivity: Connectivity, binary: boolean): RegionRuns {
  const reach = connectivity === 8 ? 1 : 0;
  let starts: Int32Array = new Int32Array(Math.max(64, 4 * height));
  let ends: Int32Array = new Int32Array(starts.length);
  let parent: Int32Array = new Int32Array(starts.length);
  const rowFirstRun = new Int32Array(height + 1);
  let runs = 0;

  const find = (run: number): number => {
    while (parent[run] !== run) {
      parent[run] = parent[parent[run]];
      run = parent[run];
    }
    return run;
  };

  for (let y = 0; y < height; y++) {
    const row = y * width;
    const above = row - width;
    rowFirstRun[y] = runs;
    let candidate = y > 0 ? rowFirstRun[y - 1] : 0;
    const aboveEnd = runs;
    let x = 0;
    while (x < width) {
      const v = values[row + x];
      if (v === 0) {
        x++;
        continue;
      }
      const start = x;
      if (binary) while (x < width && values[row + x] !== 0) x++;
      else while (x < width && values[row + x] === v) x++;
      if (runs === starts.length) {
        starts = grown(starts);
        ends = grown(ends);
        parent = grown(parent);
      }
      const run = runs++;
      starts[run] = start;
      ends[run] = x;
      parent[run] = run;
      // Runs above that end before this one's reach cannot touch later runs of this row either.
      while (candidate < aboveEnd && ends[candidate] + reach <= start) candidate++;
      for (let other = candidate; other < aboveEnd && starts[other] < x + reach; other++) {
        if (!binary && values[above + starts[other]] !== v) continue;
        const a = find(run);
        const b = find(other);
        if (a < b) parent[b] = a;
        else parent[a] = b;
      }
    }
  }
  rowFirstRun[height] = runs;

  const region = new Int32Array(runs);
  let count = 0;
  for (let run = 0; run < runs; run++) {
    const root = find(run);
    region[run] = root === run ? ++count : region[root];
  }
  return { width, height, rowFirstRun, starts, ends, region, count };
}

function grown(array: Int32Array): Int32Array {
  const larger = new Int32Array(2 * array.length);
  larger.set(array);
  return larger;
}

function paintRegions({ width, height, rowFirstRun, starts, ends, region, count }: RegionRuns): { labels: LabelMap; count: number } {
  const labels = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let run = rowFirstRun[y]; run < rowFirstRun[y + 1]; run++) labels.fill(region[run], y * width + starts[run], y * width + ends[run]);
  }
  return { labels: createRaster(labels, width, height), count };
}

/**
 * skimage.morphology.remove_small_objects: zeroes every object of fewer than minSize pixels. A Mask
 * (Uint8Array) is binary and its objects are its connected components under `connectivity`; any
 * other raster is a label map whose objects are its ids, whatever their connectivity.
 */
export function removeSmallObjects<T extends PixelArray>(input: Raster<T>, minSize: number, connectivity: Connectivity = 4): Raster<T> {
  assertSingleChannel(input, 'remove small objects');
  const { width, height, data } = input;
  const out = data.slice() as T;
  if (data instanceof Uint8Array) {
    const { rowFirstRun, starts, ends, region, count } = findRegionRuns(input, connectivity, true);
    const sizes = new Float64Array(count + 1);
    for (let run = 0; run < region.length; run++) sizes[region[run]] += ends[run] - starts[run];
    for (let y = 0; y < height; y++) {
      for (let run = rowFirstRun[y]; run < rowFirstRun[y + 1]; run++) {
        if (sizes[region[run]] < minSize) out.fill(0, y * width + starts[run], y * width + ends[run]);
      }
    }
  } else {
    const sizes = new Float64Array(maxLabel(input) + 1);
    for (let i = 0; i < data.length; i++) sizes[data[i]]++;
    for (let i = 0; i < data.length; i++) if (sizes[data[i]] < minSize) out[i] = 0;
  }
  return createRaster(out, width, height);
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
  for (let row = 0, i = 0; row < labels.height; row++) {
    for (let col = 0; col < width; col++, i++) {
      const id = data[i];
      if (id === 0) continue;
      area[id]++;
      sumRow[id] += row;
      sumCol[id] += col;
      if (row < minRow[id]) minRow[id] = row;
      if (row > maxRow[id]) maxRow[id] = row;
      if (col < minCol[id]) minCol[id] = col;
      if (col > maxCol[id]) maxCol[id] = col;
    }
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
