// The reference's offline patches (REFERENCE_SPEC §5): 16 overlapping 250×250 patches per training
// image. Patches are rectangles of the full image, never copies: augmentation starts by cropping one.

export const PATCH_SIZE = 250;

export interface Patch {
  /** Index of the image in the training set. */
  image: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Patch starts along one axis of `length` px: overlap ⌈(4·P − length)/3⌉, stride P − overlap, starts
 * 0, stride, 2·stride, … while ≤ length − P (exactly 4 for 259 ≤ length ≤ 1000). A side shorter than
 * P gets one start, the patch being the whole side; the stride is at least 1 (the reference's
 * formula gives 0 for sides of 251 to 252 px).
 */
export function patchStarts(length: number, patchSize = PATCH_SIZE): number[] {
  if (length <= patchSize) return [0];
  const overlap = Math.ceil((4 * patchSize - length) / 3);
  const stride = Math.max(1, patchSize - overlap);
  const starts = [];
  for (let start = 0; start <= length - patchSize; start += stride) starts.push(start);
  return starts;
}

/** The patches of one image, numbered row-major as the reference names them (<name>_<k>). */
export function imagePatches(image: number, width: number, height: number, patchSize = PATCH_SIZE): Patch[] {
  const patches: Patch[] = [];
  for (const top of patchStarts(height, patchSize)) {
    for (const left of patchStarts(width, patchSize)) {
      patches.push({ image, left, top, width: Math.min(patchSize, width), height: Math.min(patchSize, height) });
    }
  }
  return patches;
}
