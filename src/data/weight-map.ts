// The pixel weight map of REFERENCE_SPEC §3 (the reference's weight_map.m): 1 + w with
// w = 10·exp(−(d1 + d2)² / 50), d1 and d2 the distances to the nearest two nucleus boundaries, w ≡ 0
// with fewer than two nuclei. A nucleus' boundary is MATLAB's first bwboundaries trace: the outer
// 8-connected contour of its first 8-connected fragment in column-major order (holes and other
// fragments are ignored, §13.2).
//
// Computed exactly but fast: w falls below what the output can represent once d1 + d2 exceeds a
// cutoff R, and then both boundaries lie within R of the pixel, so each nucleus only needs distances
// over its boundary's bounding box grown by R (§3's speed tip).
import { distanceTransform } from '../image/distance.js';
import { labelEqualValue } from '../image/labels.js';
import { assertSingleChannel, createRaster, type LabelMap, type Raster } from '../image/raster.js';

export const WEIGHT_W0 = 10;
export const WEIGHT_SIGMA = 5;

export interface WeightMapOptions {
  /**
   * Round to the reference's 8-bit storage, round(20·(1 + w)) / 20, steps of 0.05 (default false:
   * full precision, as float32).
   */
  quantise?: boolean;
}

/** Per pixel 1 + w (float32); quantised to steps of 0.05 on request. */
export function weightMap(labels: LabelMap, options: WeightMapOptions = {}): Raster<Float32Array> {
  assertSingleChannel(labels, 'weight map');
  const { width, height } = labels;
  const quantise = options.quantise ?? false;
  const boundaries = nucleusBoundaries(labels);
  const nearest = new Float64Array(width * height).fill(Infinity);
  const second = new Float64Array(width * height).fill(Infinity);
  if (boundaries.length >= 2) {
    const reach = cutoffDistance(quantise);
    for (const boundary of boundaries) accumulateDistances(boundary, reach, width, height, nearest, second);
  }
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const s = nearest[i] + second[i];
    const weight = 1 + WEIGHT_W0 * Math.exp(-(s * s) / (2 * WEIGHT_SIGMA * WEIGHT_SIGMA));
    out[i] = quantise ? Math.round(20 * weight) / 20 : weight;
  }
  return createRaster(out, width, height);
}

/**
 * The smallest integer distance sum beyond which w no longer changes the stored value: below half
 * a step of 0.05 when quantised (≈ 17.3), below half an ulp of 1 in float32 otherwise (≈ 30.8).
 */
function cutoffDistance(quantise: boolean): number {
  const negligible = quantise ? 0.025 : 2 ** -24;
  return Math.ceil(Math.sqrt(2 * WEIGHT_SIGMA * WEIGHT_SIGMA * Math.log(WEIGHT_W0 / negligible)));
}

export interface Boundary {
  /** Pixel indices y·width + x. */
  pixels: Int32Array;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}

/** Folds one boundary's distances (within `reach` of its bounding box) into the two smallest per pixel. */
function accumulateDistances(
  boundary: Boundary, reach: number, width: number, height: number, nearest: Float64Array, second: Float64Array,
): void {
  const x0 = Math.max(0, boundary.bbox.x0 - reach);
  const y0 = Math.max(0, boundary.bbox.y0 - reach);
  const x1 = Math.min(width - 1, boundary.bbox.x1 + reach);
  const y1 = Math.min(height - 1, boundary.bbox.y1 + reach);
  const windowWidth = x1 - x0 + 1;
  const windowHeight = y1 - y0 + 1;
  const window = new Uint8Array(windowWidth * windowHeight).fill(1);
  for (const p of boundary.pixels) {
    const x = p % width;
    window[((p - x) / width - y0) * windowWidth + x - x0] = 0;
  }
  const distance = distanceTransform(createRaster(window, windowWidth, windowHeight)).distance.data;
  for (let wy = 0; wy < windowHeight; wy++) {
    for (let wx = 0, i = (wy + y0) * width + x0; wx < windowWidth; wx++, i++) {
      const d = distance[wy * windowWidth + wx];
      if (d < nearest[i]) {
        second[i] = nearest[i];
        nearest[i] = d;
      } else if (d < second[i]) {
        second[i] = d;
      }
    }
  }
}

/** The traced boundary of every nucleus id, in increasing id order. */
export function nucleusBoundaries(labels: LabelMap): Boundary[] {
  const { width, height, data } = labels;
  const fragments = labelEqualValue(labels, 8);
  const fragmentOf = fragments.labels.data;
  // Per id, the fragment that column-major labelling (MATLAB's bwlabel) numbers first: the one whose
  // first pixel in column-major order comes first.
  const firstFragment = new Map<number, { fragment: number; order: number }>();
  for (let i = 0; i < data.length; i++) {
    const id = data[i];
    if (id === 0) continue;
    const x = i % width;
    const order = x * height + (i - x) / width;
    const best = firstFragment.get(id);
    if (!best || order < best.order) firstFragment.set(id, { fragment: fragmentOf[i], order });
  }
  const chosen = new Uint8Array(fragments.count + 1);
  for (const { fragment } of firstFragment.values()) chosen[fragment] = 1;
  const extents = fragmentExtents(fragmentOf, width, height, fragments.count, chosen);
  return [...firstFragment.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, { fragment }]) => outerBoundary(fragmentOf, fragment, extents[fragment], width));
}

type Box = Boundary['bbox'];

function fragmentExtents(fragmentOf: Int32Array, width: number, height: number, count: number, chosen: Uint8Array): Box[] {
  const boxes: Box[] = Array.from({ length: count + 1 }, () => ({ x0: width, y0: height, x1: -1, y1: -1 }));
  for (let i = 0; i < fragmentOf.length; i++) {
    const fragment = fragmentOf[i];
    if (!chosen[fragment]) continue;
    const x = i % width;
    const y = (i - x) / width;
    const box = boxes[fragment];
    if (x < box.x0) box.x0 = x;
    if (x > box.x1) box.x1 = x;
    if (y < box.y0) box.y0 = y;
    if (y > box.y1) box.y1 = y;
  }
  return boxes;
}

/**
 * The fragment's pixels that touch (4-adjacently) the background outside it: the background
 * reachable from beyond its bounding box, so that holes do not count; the image border counts as
 * outside, as bwboundaries pads with zeros.
 */
function outerBoundary(fragmentOf: Int32Array, fragment: number, box: Box, width: number): Boundary {
  // A window one pixel larger than the box on every side; its frame is outside by construction.
  const w = box.x1 - box.x0 + 3;
  const h = box.y1 - box.y0 + 3;
  const inside = new Uint8Array(w * h);
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) if (fragmentOf[y * width + x] === fragment) inside[(y - box.y0 + 1) * w + x - box.x0 + 1] = 1;
  }
  const outside = new Uint8Array(w * h);
  const stack: number[] = [0];
  outside[0] = 1;
  while (stack.length > 0) {
    const p = stack.pop() as number;
    const x = p % w;
    for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, p - w, p + w]) {
      if (q >= 0 && q < w * h && !outside[q] && !inside[q]) {
        outside[q] = 1;
        stack.push(q);
      }
    }
  }
  const pixels: number[] = [];
  for (let wy = 1; wy < h - 1; wy++) {
    for (let wx = 1; wx < w - 1; wx++) {
      const p = wy * w + wx;
      if (inside[p] && (outside[p - 1] || outside[p + 1] || outside[p - w] || outside[p + w])) {
        pixels.push((wy - 1 + box.y0) * width + wx - 1 + box.x0);
      }
    }
  }
  return { pixels: Int32Array.from(pixels), bbox: box };
}
