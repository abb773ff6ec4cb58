// From per-pixel class probabilities to classified nuclei (REFERENCE_SPEC §10.4, with the
// majority-class defect of §13.10 fixed by exact counting):
// argmax → interiors → 8-connected components → majority class per component → per-class removal
// of objects under 20 px (4-connected, as the reference) → per-class 8-connected labelling →
// class-encoded ids (tumor 3k, lymphocyte 3k−2, stroma 3k−1) → grey dilation by the 3×3 cross.
// The labelling steps work on runs of equal class (class-runs.ts); probabilities are read out of
// libtorch a band of rows at a time.
import { scope, type Tensor } from '../engine/index.js';
import { maxLabel } from '../image/labels.js';
import type { LabelMap } from '../image/raster.js';
import { ClassRuns } from './class-runs.js';

/** Output channels: 0 background, 1 tumor, 2 lymphocyte, 3 stroma (interiors), 4 contour. */
const OUTPUT_CHANNELS = 5;
const INTERIOR_CLASSES = 3;

/**
 * Values copied out of libtorch at a time (1 MB): one copy of a whole 5×1000×1000 map (20 MB) was
 * 5–10× slower than the same bytes in bands (fresh pages, each a page fault, are expensive on VMs).
 */
const BAND_VALUES = 1 << 18;

export interface PostprocessOptions {
  /** Objects smaller than this (in pixels, before dilation) are dropped. The paper: 20. */
  minSize?: number;
}

export interface ClassifiedNuclei {
  /** Paper encoding: 0 background, class = id mod 3 (0 tumor, 1 lymphocyte, 2 stroma). */
  labels: LabelMap;
  /**
   * Per nucleus id: the mean probability of tumor, lymphocyte and stroma over the nucleus's pixels,
   * renormalised over the three classes.
   */
  classProbabilities: Map<number, [number, number, number]>;
}

/** The per-pixel argmax (ties to the lower class, as torch.argmax) of a C×H×W probability tensor. */
export function argmaxMap(probabilities: Tensor): Uint8Array {
  const [, height = 0, width = 0] = checkedShape(probabilities);
  const out = new Uint8Array(height * width);
  for (const band of readBands(probabilities, 0, OUTPUT_CHANNELS)) forEachArgmaxRow(band, width, (row, y) => out.set(row, y * width));
  return out;
}

/** Classified nuclei from the argmax map (values 0..4) of a width × height image. */
export function nucleiFromArgmax(argmax: Uint8Array, width: number, height: number, options: PostprocessOptions = {}): LabelMap {
  const runs = new ClassRuns(width);
  for (let y = 0; y < height; y++) runs.addRow(argmax.subarray(y * width, (y + 1) * width));
  return runs.nuclei(options.minSize ?? 20);
}

/** Mean tumor/lymphocyte/stroma probability of each nucleus, renormalised over the three. */
export function nucleusClassProbabilities(labels: LabelMap, probabilities: Tensor): Map<number, [number, number, number]> {
  return classProbabilitiesOfBands(labels, readBands(probabilities, 1, INTERIOR_CLASSES), 0);
}

/** Classified nuclei from a C×H×W probability tensor. */
export function postprocess(probabilities: Tensor, options: PostprocessOptions = {}): ClassifiedNuclei {
  const [, , width = 0] = checkedShape(probabilities);
  const bands = readBands(probabilities, 0, OUTPUT_CHANNELS);
  const runs = new ClassRuns(width);
  for (const band of bands) forEachArgmaxRow(band, width, (row) => runs.addRow(row));
  const labels = runs.nuclei(options.minSize ?? 20);
  return { labels, classProbabilities: classProbabilitiesOfBands(labels, bands, 1) };
}

function checkedShape(probabilities: Tensor): readonly number[] {
  const { shape } = probabilities;
  if (shape.length !== 3 || shape[0] !== OUTPUT_CHANNELS) {
    throw new RangeError(`post-processing needs ${OUTPUT_CHANNELS}×H×W class probabilities (background, tumor, lymphocyte, stroma, contour), got [${shape.join(', ')}]`);
  }
  return shape;
}

/** Rows y0..y0+rows−1 of some channels of a C×H×W tensor: one plane of rows × W values per channel. */
interface Band {
  planes: Float32Array;
  y0: number;
  rows: number;
}

/** Channels first..first+count−1 of a C×H×W float tensor, copied out a band of rows at a time. */
function readBands(probabilities: Tensor, first: number, count: number): Band[] {
  const [, height = 0, width = 0] = probabilities.shape;
  const step = Math.max(1, Math.floor(BAND_VALUES / (count * Math.max(width, 1))));
  const bands: Band[] = [];
  for (let y0 = 0; y0 < height; y0 += step) {
    const rows = Math.min(step, height - y0);
    bands.push({ planes: scope(() => probabilities.narrow(0, first, count).narrow(1, y0, rows).toFloat32Array()), y0, rows });
  }
  return bands;
}

/**
 * Calls fn with each row's argmax over the five planes of a band, top to bottom (the row buffer is
 * reused). As torch.argmax, ties go to the lower class and NaN counts as the largest value.
 */
function forEachArgmaxRow({ planes, y0, rows }: Band, width: number, fn: (row: Uint8Array, y: number) => void): void {
  const row = new Uint8Array(width);
  const plane = rows * width;
  for (let r = 0; r < rows; r++) {
    for (let x = 0, i = r * width; x < width; x++, i++) {
      let best = planes[i]!;
      let index = 0;
      for (let c = 1; c < OUTPUT_CHANNELS; c++) {
        const value = planes[i + c * plane]!;
        // value > best, or the first NaN
        if (value > best || (value !== value && best === best)) {
          best = value;
          index = c;
        }
      }
      row[x] = index;
    }
    fn(row, y0 + r);
  }
}

/** Per nucleus the mean of the three interior-class planes (first..first+2 of the bands), renormalised. */
function classProbabilitiesOfBands(labels: LabelMap, bands: readonly Band[], first: number): Map<number, [number, number, number]> {
  const { width, data } = labels;
  const largest = maxLabel(labels);
  const sums = new Float64Array((largest + 1) * INTERIOR_CLASSES);
  const present = new Uint8Array(largest + 1);
  for (const { planes, y0, rows } of bands) {
    const plane = rows * width;
    const offset = y0 * width;
    for (let i = 0, j = first * plane; i < plane; i++, j++) {
      const id = data[offset + i]!;
      if (id === 0) continue;
      present[id] = 1;
      sums[id * 3] += planes[j]!;
      sums[id * 3 + 1] += planes[j + plane]!;
      sums[id * 3 + 2] += planes[j + 2 * plane]!;
    }
  }
  const result = new Map<number, [number, number, number]>();
  for (let id = 1; id <= largest; id++) {
    if (!present[id]) continue;
    const sum: [number, number, number] = [sums[id * 3]!, sums[id * 3 + 1]!, sums[id * 3 + 2]!];
    const total = sum[0] + sum[1] + sum[2];
    if (total > 0) for (let c = 0; c < 3; c++) sum[c] = sum[c]! / total;
    result.set(id, sum);
  }
  return result;
}
