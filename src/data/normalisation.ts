// Input normalisation (REFERENCE_SPEC §4): per-channel mean and population std pooled over every
// pixel of the full-size training images, on the 0..1 scale; the network sees (rgb/255 − mean)/std.
// Optionally the images are first Reinhard-normalised to a chosen reference image, which the paper
// claims and the reference code lacks (§13.3); the reference image is the caller's documented choice.
import { ChannelStatistics, labStatistics, reinhardNormalize, type LabStatistics } from '../image/colour.js';
import type { Raster } from '../image/raster.js';

export interface InputNormalisation {
  /** Per RGB channel, 0..1 scale. */
  mean: [number, number, number];
  std: [number, number, number];
}

/** The statistics of §4 over the given (training) images. */
export function inputNormalisation(images: readonly Raster<Uint8Array>[]): InputNormalisation {
  if (images.length === 0) throw new RangeError('input normalisation needs at least one training image');
  const statistics = new ChannelStatistics(3);
  for (const image of images) statistics.add(image);
  const [m0, m1, m2] = statistics.mean;
  const [s0, s1, s2] = statistics.std;
  return { mean: [m0, m1, m2], std: [s0, s1, s2] };
}

/** Reinhard colour normalisation of every image to one reference image's lαβ statistics. */
export function reinhardToReference(images: readonly Raster<Uint8Array>[], reference: Raster<Uint8Array>): Raster<Uint8Array>[] {
  const target: LabStatistics = labStatistics(reference);
  return images.map((image) => reinhardNormalize(image, target));
}
