// Colour deconvolution of H&E images into haematoxylin, eosin and DAB densities (Ruifrok & Johnston
// 2001), equal to skimage.color.rgb2hed: the stain matrix is inverted, each channel is scaled to
// [0, 1], floored at 1e-6, turned into log(v) / log(1e-6) and multiplied by the inverse; negative
// densities are clipped to 0.
import { createRaster, type Raster } from '../image/raster.js';

/** scikit-image's rgb_from_hed: the RGB absorbance of haematoxylin, eosin and DAB, one row each. */
const RGB_FROM_HED = [
  [0.65, 0.7, 0.29],
  [0.07, 0.99, 0.11],
  [0.27, 0.57, 0.78],
] as const;

// An 8-bit channel value has 256 possible log densities, so each channel's contribution to each
// stain is tabulated: CONTRIBUTION[(channel · 3 + stain) · 256 + value].
const CONTRIBUTION = (() => {
  const hedFromRgb = invert3x3(RGB_FROM_HED);
  const table = new Float64Array(9 * 256);
  for (let v = 0; v < 256; v++) {
    const logDensity = Math.log(Math.max(v / 255, 1e-6)) / Math.log(1e-6);
    for (let k = 0; k < 9; k++) table[k * 256 + v] = logDensity * hedFromRgb[Math.floor(k / 3)][k % 3];
  }
  return table;
})();

/** The density of one stain (0 haematoxylin, 1 eosin, 2 DAB) at an 8-bit RGB colour. */
export function stainDensity(stain: 0 | 1 | 2, r: number, g: number, b: number): number {
  const offset = stain * 256;
  return Math.max(CONTRIBUTION[offset + r] + CONTRIBUTION[offset + 3 * 256 + g] + CONTRIBUTION[offset + 6 * 256 + b], 0);
}

/** Haematoxylin, eosin and DAB densities of every pixel of an 8-bit RGB(A) image (3 channels out). */
export function rgbToHed(image: Raster<Uint8Array>): Raster<Float64Array> {
  assertColour(image);
  const { width, height, channels, data } = image;
  const out = new Float64Array(width * height * 3);
  for (let p = 0, i = 0; p < width * height; p++, i += channels) {
    for (const stain of [0, 1, 2] as const) out[3 * p + stain] = stainDensity(stain, data[i], data[i + 1], data[i + 2]);
  }
  return createRaster(out, width, height, 3);
}

export function assertColour(image: Raster<Uint8Array>): void {
  if (image.channels < 3) throw new RangeError(`colour deconvolution needs an RGB image, got ${image.channels} channel(s)`);
}

function invert3x3(m: readonly (readonly number[])[]): number[][] {
  const cofactor = (row: number, col: number): number => {
    const [r0, r1] = [0, 1, 2].filter((r) => r !== row);
    const [c0, c1] = [0, 1, 2].filter((c) => c !== col);
    const minor = m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
    return (row + col) % 2 === 0 ? minor : -minor;
  };
  const determinant = m[0][0] * cofactor(0, 0) + m[0][1] * cofactor(0, 1) + m[0][2] * cofactor(0, 2);
  // The inverse is the transposed cofactor matrix over the determinant.
  return [0, 1, 2].map((row) => [0, 1, 2].map((col) => cofactor(col, row) / determinant));
}
