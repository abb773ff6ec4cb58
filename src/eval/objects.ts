// The objects the metrics count, measured once per label map.
//
// The paper's metrics (REFERENCE_SPEC §11) relabel their inputs: every 8-connected region of equal
// value is one object, so a fragmented id counts as several objects and touching ids stay apart.
// The field's metrics (ANCHORS §2.1, HoVer-Net's remap_label) take every id as one instance,
// whatever its connectivity. Instances are therefore built by grouping objects by their id.
import { classOfId, labelEqualValue, regionProps, type NucleusClass } from '../image/labels.js';
import type { LabelMap } from '../image/raster.js';

/** What the metrics need of a set of objects, indexed 0..count−1. */
export interface Objects {
  readonly count: number;
  readonly area: Float64Array;
  /** The label value (nucleus id) the object carries. */
  readonly value: Int32Array;
  /** Class encoded in the id (0 tumor, 1 lymphocyte, 2 stroma). */
  readonly nucleusClass: Uint8Array;
  /** Mean row and column of the object's pixels. */
  readonly centroidRow: Float64Array;
  readonly centroidCol: Float64Array;
}

/** Relabelled objects with their pixels, for the paper's metrics. */
export interface PixelObjects extends Objects {
  readonly width: number;
  readonly height: number;
  /** Object index + 1 at every pixel, 0 for background (labelEqualValue's numbering). */
  readonly labels: Int32Array;
  /** Inclusive bounding box. */
  readonly top: Int32Array;
  readonly left: Int32Array;
  readonly bottom: Int32Array;
  readonly right: Int32Array;
  /** Pixels of object k: rows and cols [pixelStart[k], pixelStart[k + 1]), in raster order. */
  readonly pixelStart: Int32Array;
  readonly pixelRow: Int32Array;
  readonly pixelCol: Int32Array;
}

/**
 * The 8-connected equal-value regions of a label map, numbered in raster order of their first
 * pixel as skimage.measure.label numbers them (so "smallest relabelled id" tie-breaks agree).
 */
export function pixelObjects(map: LabelMap): PixelObjects {
  const { width, height } = map;
  const { labels, count } = labelEqualValue(map, 8);
  const props = regionProps(labels);
  const area = new Float64Array(count);
  const top = new Int32Array(count);
  const left = new Int32Array(count);
  const bottom = new Int32Array(count);
  const right = new Int32Array(count);
  const centroidRow = new Float64Array(count);
  const centroidCol = new Float64Array(count);
  const pixelStart = new Int32Array(count + 1);
  props.forEach((p, k) => {
    area[k] = p.area;
    [top[k], left[k]] = p.bbox;
    bottom[k] = p.bbox[2] - 1;
    right[k] = p.bbox[3] - 1;
    [centroidRow[k], centroidCol[k]] = p.centroid;
    pixelStart[k + 1] = pixelStart[k] + p.area;
  });

  const value = new Int32Array(count);
  const pixelRow = new Int32Array(pixelStart[count]);
  const pixelCol = new Int32Array(pixelStart[count]);
  const cursor = pixelStart.slice(0, count);
  const ids = labels.data;
  const source = map.data;
  for (let row = 0, i = 0; row < height; row++) {
    for (let col = 0; col < width; col++, i++) {
      const k = ids[i] - 1;
      if (k < 0) continue;
      value[k] = source[i];
      const at = cursor[k]++;
      pixelRow[at] = row;
      pixelCol[at] = col;
    }
  }
  return {
    count, area, value, nucleusClass: classesOf(value), centroidRow, centroidCol,
    width, height, labels: ids, top, left, bottom, right, pixelStart, pixelRow, pixelCol,
  };
}

/** Instances (one per id, in increasing id order) and the instance each object belongs to. */
export function groupById(objects: Objects): { instances: Objects; instanceOf: Int32Array } {
  const ids = [...new Set(objects.value)].sort((a, b) => a - b);
  const indexOfId = new Map(ids.map((id, index) => [id, index]));
  const count = ids.length;
  const area = new Float64Array(count);
  const sumRow = new Float64Array(count);
  const sumCol = new Float64Array(count);
  const instanceOf = new Int32Array(objects.count);
  for (let k = 0; k < objects.count; k++) {
    const index = indexOfId.get(objects.value[k]) as number;
    instanceOf[k] = index;
    area[index] += objects.area[k];
    // Coordinate sums are integers: rounding recovers them exactly from the centroids.
    sumRow[index] += Math.round(objects.centroidRow[k] * objects.area[k]);
    sumCol[index] += Math.round(objects.centroidCol[k] * objects.area[k]);
  }
  const value = Int32Array.from(ids);
  const instances: Objects = {
    count, area, value, nucleusClass: classesOf(value),
    centroidRow: sumRow.map((sum, index) => sum / area[index]),
    centroidCol: sumCol.map((sum, index) => sum / area[index]),
  };
  return { instances, instanceOf };
}

function classesOf(values: Int32Array): Uint8Array {
  return Uint8Array.from(values, (id) => classOfId(id));
}

/** The objects a metric considers: all of them, or one class's. */
export type Group = 'all' | NucleusClass;

export function inGroup(objects: Objects, k: number, group: Group): boolean {
  return group === 'all' || objects.nucleusClass[k] === group;
}

/** How many objects are in the group. */
export function groupSize(objects: Objects, group: Group): number {
  let size = 0;
  for (let k = 0; k < objects.count; k++) if (inGroup(objects, k, group)) size++;
  return size;
}
