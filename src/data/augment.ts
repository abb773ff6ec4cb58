// Online training augmentation (REFERENCE_SPEC §6) with the reference's parameter ranges: random
// resize 0.75–1.5 (zero-padded back when shrinking), flips, centred affine with bound 0.3, B-spline
// elastic deformation (σ 15 px on a 9×9 control grid), rotation ±90°, random 224 crop. The steps are
// composed into one sampling field and each sample is interpolated once: bilinear for the image,
// nearest for interiors and weights (DESIGN.md). Fill is 0 everywhere, so filled pixels get weight 0
// and drop out of the loss (§6). The contour class is recomputed on the crop (§2.2).
import { randomControlDisplacements } from '../image/elastic.js';
import { TransformChain, type SamplingField } from '../image/geometry.js';
import type { Raster } from '../image/raster.js';
import { sampleBilinear, sampleNearest } from '../image/sampling.js';
import type { InputNormalisation } from './normalisation.js';
import type { Patch } from './patches.js';
import type { Random } from './random.js';
import { withContourRing, type InteriorMap } from './targets.js';

export interface AugmentationOptions {
  /** Side of the square output crop (224). */
  cropSize: number;
  /** Range of the random resize factor ([0.75, 1.5]). */
  scaleRange: readonly [number, number];
  /** Random horizontal and vertical flips, each with p = 0.5. */
  flips: boolean;
  /** The affine coefficients a, e ∈ 1 ± bound and b, d ∈ ±bound (0.3). */
  affineBound: number;
  /** Standard deviation of the B-spline control-point displacements, px (15; 0 turns it off). */
  elasticSigma: number;
  /** B-spline mesh cells per axis (6, so 9×9 control points). */
  elasticMeshSize: number;
  /** Reproduce the reference's zeroed first third of the elastic parameters (§13.6; default off). */
  elasticReferenceQuirk: boolean;
  /** Rotation angle range ±degrees (90). */
  rotationDegrees: number;
}

export const REFERENCE_AUGMENTATION: AugmentationOptions = {
  cropSize: 224,
  scaleRange: [0.75, 1.5],
  flips: true,
  affineBound: 0.3,
  elasticSigma: 15,
  elasticMeshSize: 6,
  elasticReferenceQuirk: false,
  rotationDegrees: 90,
};

/** What a training sample is cut from: an image with its interiors and weight map, full size. */
export interface TrainingSource {
  /** RGB, 8 bit. */
  image: Raster<Uint8Array>;
  interiors: InteriorMap;
  /** 1 + w, REFERENCE_SPEC §3. */
  weights: Raster<Float32Array>;
}

/** One augmented sample: the image as float RGB (HWC, 0..255), the 5-class target and the weights. */
export interface AugmentedSample {
  image: Raster<Float32Array>;
  target: Raster<Uint8Array>;
  weights: Raster<Float32Array>;
}

/**
 * The sampling field of one random augmentation of a patch, the draws in the reference's order.
 * The chain starts by cropping the patch out of the full image, so outside the patch is fill.
 */
export function randomAugmentationField(
  source: { width: number; height: number }, patch: Patch, random: Random, options: AugmentationOptions = REFERENCE_AUGMENTATION,
): SamplingField {
  const { width, height } = patch;
  const chain = new TransformChain(source.width, source.height).crop(patch.left, patch.top, width, height);

  const scale = random.between(...options.scaleRange);
  const scaledWidth = Math.trunc(width * scale);
  const scaledHeight = Math.trunc(height * scale);
  chain.resize(scaledWidth, scaledHeight);
  if (scale < 1) chain.pad(width, height, Math.floor((width - scaledWidth) / 2), Math.floor((height - scaledHeight) / 2));

  if (options.flips) {
    if (random.chance(0.5)) chain.flip(true);
    if (random.chance(0.5)) chain.flip(false);
  }
  const bound = options.affineBound;
  const affine = [1 + bound * (2 * random.uniform() - 1), bound * (2 * random.uniform() - 1), bound * (2 * random.uniform() - 1), 1 + bound * (2 * random.uniform() - 1)] as const;
  chain.affine(affine);
  if (options.elasticSigma > 0) {
    chain.elastic(randomControlDisplacements(() => random.uniform(), {
      meshSize: options.elasticMeshSize, sigma: options.elasticSigma, zeroFirstThird: options.elasticReferenceQuirk,
    }));
  }
  chain.rotate(random.between(-options.rotationDegrees, options.rotationDegrees));

  const crop = options.cropSize;
  if (chain.width < crop || chain.height < crop) {
    throw new RangeError(`a ${crop}×${crop} crop needs patches of at least that size, got ${width}×${height}`);
  }
  chain.crop(random.integer(0, chain.width - crop), random.integer(0, chain.height - crop), crop, crop);
  return chain.field();
}

/** Samples a source through a field: the augmented image, 5-class target and weights. */
export function applyField(source: TrainingSource, field: SamplingField): AugmentedSample {
  return {
    image: sampleBilinear(source.image, field, 0),
    target: withContourRing(sampleNearest(source.interiors, field, 0)),
    weights: sampleNearest(source.weights, field, 0),
  };
}

/** One random augmented sample of a patch. */
export function augmentPatch(source: TrainingSource, patch: Patch, random: Random, options: AugmentationOptions = REFERENCE_AUGMENTATION): AugmentedSample {
  return applyField(source, randomAugmentationField(source.image, patch, random, options));
}

/**
 * Writes a sample into slot `slot` of batch arrays: the image normalised (x/255 − mean)/std as CHW
 * float32, the target as int64 (the little-endian 32-bit halves of `targetWords`: low word the
 * class, high word 0), the weights as float32.
 */
export function writeSampleToBatch(
  sample: AugmentedSample, normalisation: InputNormalisation, slot: number,
  batch: { images: Float32Array; targetWords: Int32Array; weights: Float32Array },
): void {
  const { width, height, data } = sample.image;
  const plane = width * height;
  const imageOffset = slot * 3 * plane;
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * normalisation.std[c]);
    const shift = normalisation.mean[c] / normalisation.std[c];
    const out = imageOffset + c * plane;
    for (let p = 0; p < plane; p++) batch.images[out + p] = data[3 * p + c] * scale - shift;
  }
  const target = sample.target.data;
  for (let p = 0, w = 2 * slot * plane; p < plane; p++, w += 2) {
    batch.targetWords[w] = target[p];
    batch.targetWords[w + 1] = 0;
  }
  batch.weights.set(sample.weights.data, slot * plane);
}
