// From per-pixel class probabilities to classified nuclei (REFERENCE_SPEC §10.4, with the
// majority-class defect of §13.10 fixed by exact counting):
// argmax → interiors → 8-connected components → majority class per component → per-class removal
// of objects under 20 px (4-connected, as the reference) → per-class 8-connected labelling →
// class-encoded ids (tumor 3k, lymphocyte 3k−2, stroma 3k−1) → grey dilation by the 3×3 cross.
import { noGrad, type Tensor } from '../engine/index.js';
import { encodeClassLabels, labelComponents, removeSmallObjects } from '../image/labels.js';
import { CROSS, dilate } from '../image/morphology.js';
import { createRaster, type LabelMap, type Mask } from '../image/raster.js';

/** Output channels: 0 background, 1 tumor, 2 lymphocyte, 3 stroma (interiors), 4 contour. */
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
  return noGrad(() => {
    const indices = probabilities.argmax(0).to('uint8');
    try {
      return indices.toTypedArray() as Uint8Array;
    } finally {
      indices.dispose();
    }
  });
}

/** Classified nuclei from the argmax map (values 0..4) of a width × height image. */
export function nucleiFromArgmax(argmax: Uint8Array, width: number, height: number, options: PostprocessOptions = {}): LabelMap {
  const { minSize = 20 } = options;
  const interior = createRaster(new Uint8Array(argmax.length), width, height);
  for (let i = 0; i < argmax.length; i++) {
    const c = argmax[i]!;
    if (c >= 1 && c <= INTERIOR_CLASSES) interior.data[i] = 1;
  }
  const { labels: components, count } = labelComponents(interior, 8);

  const votes = new Int32Array((count + 1) * INTERIOR_CLASSES);
  for (let i = 0; i < argmax.length; i++) {
    const component = components.data[i]!;
    if (component > 0) votes[component * INTERIOR_CLASSES + argmax[i]! - 1]!++;
  }
  const majority = new Uint8Array(count + 1);
  for (let component = 1; component <= count; component++) {
    let best = 0;
    for (let c = 1; c < INTERIOR_CLASSES; c++) {
      if (votes[component * INTERIOR_CLASSES + c]! > votes[component * INTERIOR_CLASSES + best]!) best = c;
    }
    majority[component] = best;
  }

  const perClass = [0, 1, 2].map((nucleusClass) => {
    const mask: Mask = createRaster(new Uint8Array(argmax.length), width, height);
    for (let i = 0; i < argmax.length; i++) {
      const component = components.data[i]!;
      if (component > 0 && majority[component] === nucleusClass) mask.data[i] = 1;
    }
    return labelComponents(removeSmallObjects(mask, minSize, 4), 8).labels;
  }) as [LabelMap, LabelMap, LabelMap];
  return dilate(encodeClassLabels(perClass), CROSS);
}

/** Mean tumor/lymphocyte/stroma probability of each nucleus, renormalised over the three. */
export function nucleusClassProbabilities(labels: LabelMap, probabilities: Tensor): Map<number, [number, number, number]> {
  const planes = noGrad(() => {
    const interiors = probabilities.narrow(0, 1, INTERIOR_CLASSES).contiguous();
    try {
      return interiors.toFloat32Array();
    } finally {
      interiors.dispose();
    }
  });
  const pixels = labels.data.length;
  const sums = new Map<number, [number, number, number]>();
  for (let i = 0; i < pixels; i++) {
    const id = labels.data[i]!;
    if (id === 0) continue;
    let sum = sums.get(id);
    if (sum === undefined) sums.set(id, (sum = [0, 0, 0]));
    sum[0] += planes[i]!;
    sum[1] += planes[pixels + i]!;
    sum[2] += planes[2 * pixels + i]!;
  }
  for (const sum of sums.values()) {
    const total = sum[0] + sum[1] + sum[2];
    if (total > 0) for (let c = 0; c < 3; c++) sum[c] = sum[c]! / total;
  }
  return sums;
}

/** Classified nuclei from a C×H×W probability tensor. */
export function postprocess(probabilities: Tensor, options: PostprocessOptions = {}): ClassifiedNuclei {
  const [, height = 0, width = 0] = probabilities.shape;
  const labels = nucleiFromArgmax(argmaxMap(probabilities), width, height, options);
  return { labels, classProbabilities: nucleusClassProbabilities(labels, probabilities) };
}
