// From per-pixel class probabilities to classified nuclei (REFERENCE_SPEC §10.4, with the
// majority-class defect of §13.10 fixed by exact counting):
// argmax → interiors → 8-connected components → majority class per component → per-class removal
// of objects under 20 px (4-connected, as the reference) → per-class 8-connected labelling →
// class-encoded ids (tumor 3k, lymphocyte 3k−2, stroma 3k−1) → grey dilation by the 3×3 cross.
// The labelling steps work on runs of equal class (class-runs.ts); the per-pixel passes over the
// probability map (argmax, per-nucleus sums) run in libtorch's memory, so the map is never copied.
import { F, type Tensor } from '../engine/index.js';
import { maxLabel } from '../image/labels.js';
import type { LabelMap } from '../image/raster.js';
import { ClassRuns } from './class-runs.js';

/** Output channels: 0 background, 1 tumor, 2 lymphocyte, 3 stroma (interiors), 4 contour. */
const OUTPUT_CHANNELS = 5;
const INTERIOR_CLASSES = 3;

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
  F.channelArgmax(probabilities, out);
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
  checkedShape(probabilities);
  const largest = maxLabel(labels);
  const sums = F.sumsByLabel(probabilities, 1, INTERIOR_CLASSES, labels.data, largest);
  const result = new Map<number, [number, number, number]>();
  for (let id = 1; id <= largest; id++) {
    const row = id * (INTERIOR_CLASSES + 1);
    if (sums[row] === 0) continue;
    const sum: [number, number, number] = [sums[row + 1]!, sums[row + 2]!, sums[row + 3]!];
    const total = sum[0] + sum[1] + sum[2];
    if (total > 0) for (let c = 0; c < 3; c++) sum[c] = sum[c]! / total;
    result.set(id, sum);
  }
  return result;
}

/** Classified nuclei from a C×H×W probability tensor. */
export function postprocess(probabilities: Tensor, options: PostprocessOptions = {}): ClassifiedNuclei {
  const [, height = 0, width = 0] = checkedShape(probabilities);
  const labels = nucleiFromArgmax(argmaxMap(probabilities), width, height, options);
  return { labels, classProbabilities: nucleusClassProbabilities(labels, probabilities) };
}

function checkedShape(probabilities: Tensor): readonly number[] {
  const { shape } = probabilities;
  if (shape.length !== 3 || shape[0] !== OUTPUT_CHANNELS) {
    throw new RangeError(`post-processing needs ${OUTPUT_CHANNELS}×H×W class probabilities (background, tumor, lymphocyte, stroma, contour), got [${shape.join(', ')}]`);
  }
  return shape;
}
