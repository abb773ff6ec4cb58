// Validation on full images with the sliding window (REFERENCE_SPEC §9): the weighted cross-entropy,
// the two pixel IoUs of the reference's model selection, and object-level detection F1 and Dice of
// the post-processed nuclei (§11), averaged over the images.
import type { DatasetSample } from '../data/dataset.js';
import type { InputNormalisation } from '../data/normalisation.js';
import { trainingTarget } from '../data/targets.js';
import { weightMap } from '../data/weight-map.js';
import { F, scope, tensor, type Layer } from '../engine/index.js';
import { meanOfDefined } from '../eval/aggregate.js';
import { evaluateImage } from '../eval/image-metrics.js';
import { imageTensor } from '../infer/input.js';
import { argmaxMap, nucleiFromArgmax } from '../infer/postprocess.js';
import { slidingWindowProbabilities, type SlidingWindowOptions } from '../infer/sliding-window.js';

export interface ValidationScores {
  loss: number;
  /** Mean over the interior classes present in the target of their pixel IoU (§9 step 4). */
  iou: number;
  /** Pixel IoU of all interiors against all interiors (§9 step 5). */
  iouNuclei: number;
  /** The reference's selection criterion: (iou + iouNuclei)/2. */
  combined: number;
  /** Object-level detection F1 and Dice over all nuclei (§11.1–11.2). */
  f1: number;
  dice: number;
}

/** Pixel IoUs of an argmax map against a 5-class target (interior classes 1..3). */
export function pixelIous(prediction: Uint8Array, target: Uint8Array): { iou: number; iouNuclei: number } {
  const tp = new Float64Array(4);
  const fp = new Float64Array(4);
  const fn = new Float64Array(4);
  const present = new Uint8Array(4);
  for (let i = 0; i < target.length; i++) {
    const p = prediction[i]! >= 1 && prediction[i]! <= 3 ? prediction[i]! : 0;
    const t = target[i]! >= 1 && target[i]! <= 3 ? target[i]! : 0;
    present[t] = 1;
    if (p === t) tp[p]!++;
    else {
      fp[p]!++;
      fn[t]!++;
    }
    // nuclei foreground, slot 0
    if (p > 0 && t > 0) tp[0]!++;
    else if (p > 0) fp[0]!++;
    else if (t > 0) fn[0]!++;
  }
  let sum = 0;
  let count = 0;
  for (let c = 1; c <= 3; c++) {
    if (!present[c]) continue;
    sum += tp[c]! / (tp[c]! + fp[c]! + fn[c]! + 1e-10);
    count++;
  }
  return { iou: sum / (count + 1e-8), iouNuclei: tp[0]! / (tp[0]! + fp[0]! + fn[0]! + 1e-10) };
}

/** A validation image with what scoring it needs, computed once for the whole run. */
export interface ValidationImage {
  sample: DatasetSample;
  /** The 5-class target (§2) and the weight map (§3) as the loss wants them. */
  target: Uint8Array;
  targets: BigInt64Array;
  weights: Float32Array;
}

export function prepareValidation(samples: readonly DatasetSample[]): ValidationImage[] {
  return samples.map((sample) => {
    const target = trainingTarget(sample.labels).data;
    return { sample, target, targets: BigInt64Array.from(target, (v) => BigInt(v)), weights: weightMap(sample.labels).data };
  });
}

export function validate(model: Layer, images: readonly ValidationImage[], normalisation: InputNormalisation, window: SlidingWindowOptions): ValidationScores {
  const totals = { loss: 0, iou: 0, iouNuclei: 0 };
  const f1: (number | null)[] = [];
  const dice: (number | null)[] = [];
  for (const { sample, target, targets, weights } of images) {
    const { width, height } = sample.image;
    const { loss, prediction } = scope(() => {
      const probabilities = slidingWindowProbabilities(model, imageTensor(sample.image, normalisation), window);
      const logProbabilities = probabilities.clamp(1e-12).log().unsqueeze(0);
      const nll = F.nllLoss(logProbabilities, tensor(targets, [1, height, width]), tensor(weights, [1, height, width]));
      return { loss: nll.item(), prediction: argmaxMap(probabilities) };
    });
    const ious = pixelIous(prediction, target);
    const report = evaluateImage(sample.name, nucleiFromArgmax(prediction, width, height), sample.labels);
    totals.loss += loss;
    totals.iou += ious.iou;
    totals.iouNuclei += ious.iouNuclei;
    f1.push(report.paper.groups.all.f1);
    dice.push(report.paper.groups.all.dice);
  }
  const n = images.length;
  const mean = (value: number): number => value / n;
  const iou = mean(totals.iou);
  const iouNuclei = mean(totals.iouNuclei);
  return {
    loss: mean(totals.loss),
    iou,
    iouNuclei,
    combined: (iou + iouNuclei) / 2,
    f1: meanOfDefined(f1).value ?? 0,
    dice: meanOfDefined(dice).value ?? 0,
  };
}
