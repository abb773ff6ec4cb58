// Everything the augmentation draws from, prepared once per training run: for every training image
// its interiors (§2) and weight map (§3) at full size, its 250×250 patches (§5) and the input
// normalisation statistics (§4). Pixel data lives in SharedArrayBuffers, so loader workers read it
// without copies.
import { createRaster, type PixelArray, type Raster } from '../image/raster.js';
import type { TrainingSource } from './augment.js';
import type { DatasetSample } from './dataset.js';
import { inputNormalisation, type InputNormalisation } from './normalisation.js';
import { imagePatches, PATCH_SIZE, type Patch } from './patches.js';
import { interiorClasses } from './targets.js';
import { weightMap, type WeightMapOptions } from './weight-map.js';

export interface TrainingSet {
  names: string[];
  sources: TrainingSource[];
  patches: Patch[];
  normalisation: InputNormalisation;
}

export interface TrainingSetOptions {
  /** Patch side (250); images are sampled through their patches, as the reference trains on them. */
  patchSize?: number;
  weightMap?: WeightMapOptions;
  /** Statistics to use instead of computing them from these images (e.g. from a checkpoint). */
  normalisation?: InputNormalisation;
}

export function prepareTrainingSet(samples: readonly DatasetSample[], options: TrainingSetOptions = {}): TrainingSet {
  if (samples.length === 0) throw new RangeError('a training set needs at least one image');
  const patchSize = options.patchSize ?? PATCH_SIZE;
  const sources = samples.map(({ image, labels }) => ({
    image: shared(image),
    interiors: shared(interiorClasses(labels)),
    weights: shared(weightMap(labels, options.weightMap)),
  }));
  return {
    names: samples.map((sample) => sample.name),
    sources,
    patches: sources.flatMap((source, k) => imagePatches(k, source.image.width, source.image.height, patchSize)),
    normalisation: options.normalisation ?? inputNormalisation(samples.map((sample) => sample.image)),
  };
}

/** A copy of the raster whose pixels live in a SharedArrayBuffer. */
export function shared<T extends PixelArray>(raster: Raster<T>): Raster<T> {
  const { data } = raster;
  const buffer = new SharedArrayBuffer(data.byteLength);
  const copy = new (data.constructor as new (buffer: SharedArrayBuffer) => T)(buffer);
  new Uint8Array(buffer).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return createRaster(copy, raster.width, raster.height, raster.channels);
}
