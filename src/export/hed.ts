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

const HED_FROM_RGB = invert3x3(RGB_FROM_HED);

// An 8-bit channel value has 256 possible log densities: computed once.
const LOG_DENSITY = Float64Array.from({ length: 256 }, (_, v) => Math.log(Math.max(v / 255, 1e-6)) / Math.log(1e-6));

/** Haematoxylin, eosin and DAB densities of every pixel of an 8-bit RGB(A) image (3 channels out). */
export function rgbToHed(image: Raster<Uint8Array>): Raster<Float64Array> {
  if (image.channels < 3) throw new RangeError(`colour deconvolution needs an RGB image, got ${image.channels} channel(s)`);
  const { width, height, channels, data } = image;
  const out = new Float64Array(width * height * 3);
  for (let p = 0, i = 0; p < width * height; p++, i += channels) {
    const r = LOG_DENSITY[data[i]];
    const g = LOG_DENSITY[data[i + 1]];
    const b = LOG_DENSITY[data[i + 2]];
    for (let stain = 0; stain < 3; stain++) {
      const density = r * HED_FROM_RGB[0][stain] + g * HED_FROM_RGB[1][stain] + b * HED_FROM_RGB[2][stain];
      out[3 * p + stain] = Math.max(density, 0);
    }
  }
  return createRaster(out, width, height, 3);
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
