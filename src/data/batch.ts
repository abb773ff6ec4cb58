// One training batch, made the same way on a worker thread or on the main thread: sample k of an
// epoch is drawn from its own random stream (seed, epoch, k), so batches do not depend on which
// thread made them or in what order.
import { applyField, randomAugmentationField, writeSampleToBatch, type AugmentationOptions, type TrainingSource } from './augment.js';
import type { InputNormalisation } from './normalisation.js';
import type { Patch } from './patches.js';
import { Random } from './random.js';

/** B samples: images B×3×S×S float32 (normalised), targets B×S×S int64 (0..4), weights B×S×S float32. */
export interface Batch {
  epoch: number;
  /** Position of the batch in its epoch. */
  index: number;
  size: number;
  cropSize: number;
  images: Float32Array<ArrayBuffer>;
  targets: BigInt64Array<ArrayBuffer>;
  weights: Float32Array<ArrayBuffer>;
}

export interface BatchRequest {
  epoch: number;
  index: number;
  /** Index within the epoch of the batch's first sample. */
  firstSample: number;
  /** The patch of each sample. */
  patches: number[];
}

export interface BatchContext {
  sources: readonly TrainingSource[];
  patches: readonly Patch[];
  normalisation: InputNormalisation;
  augmentation: AugmentationOptions;
  seed: number;
}

export function produceBatch(context: BatchContext, request: BatchRequest): Batch {
  const size = request.patches.length;
  const crop = context.augmentation.cropSize;
  const plane = crop * crop;
  const images = new Float32Array(size * 3 * plane);
  const targets = new BigInt64Array(size * plane);
  const weights = new Float32Array(size * plane);
  const targetWords = new Int32Array(targets.buffer);
  request.patches.forEach((patchIndex, slot) => {
    const patch = context.patches[patchIndex];
    const source = context.sources[patch.image];
    const random = new Random(context.seed, request.epoch, request.firstSample + slot);
    const field = randomAugmentationField(source.image, patch, random, context.augmentation);
    writeSampleToBatch(applyField(source, field), context.normalisation, slot, { images, targetWords, weights });
  });
  return { epoch: request.epoch, index: request.index, size, cropSize: crop, images, targets, weights };
}

/** The order in which an epoch visits the patches. */
export function epochOrder(seed: number, epoch: number, patchCount: number): number[] {
  return new Random(seed, epoch).shuffled(Array.from({ length: patchCount }, (_, k) => k));
}
