// Shape descriptors of one nucleus as scikit-image's regionprops defines them (skimage 0.19):
// perimeter, eccentricity and the convex area behind solidity. Each takes the nucleus's ObjectMask.
import type { Mask } from '../image/raster.js';

// skimage.measure.perimeter(image, neighbourhood=4): border pixels (those with a 4-neighbour outside
// the object) are coded 1 + 2·(border 4-neighbours) + 10·(border diagonal neighbours), and each code
// has a length: straight runs count 1, diagonal steps √2, corners (1 + √2)/2, the rest 0.
const PERIMETER_WEIGHTS = (() => {
  const weights = new Float64Array(50);
  for (const code of [5, 7, 15, 17, 25, 27]) weights[code] = 1;
  for (const code of [21, 33]) weights[code] = Math.SQRT2;
  for (const code of [13, 23]) weights[code] = (1 + Math.SQRT2) / 2;
  return weights;
})();

/** scikit-image's 4-connectivity perimeter estimate of the object. */
export function perimeter({ width, height, data }: Mask): number {
  const border = new Uint8Array(data.length);
  for (let y = 1; y < height - 1; y++) {
    for (let i = y * width + 1; i < (y + 1) * width - 1; i++) {
      if (data[i] && !(data[i - 1] && data[i + 1] && data[i - width] && data[i + width])) border[i] = 1;
    }
  }
  let total = 0;
  for (let i = 0; i < border.length; i++) {
    if (!border[i]) continue;
    const straight = border[i - 1] + border[i + 1] + border[i - width] + border[i + width];
    const diagonal = border[i - width - 1] + border[i - width + 1] + border[i + width - 1] + border[i + width + 1];
    total += PERIMETER_WEIGHTS[1 + 2 * straight + 10 * diagonal];
  }
  return total;
}

/**
 * regionprops' eccentricity: √(1 − λ₂/λ₁) for the eigenvalues λ₁ ≥ λ₂ of the inertia tensor of the
 * pixel centres (0 for a single pixel), that of the ellipse with the same second moments.
 */
export function eccentricity({ width, data }: Mask): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (!data[i]) continue;
    xs.push(i % width);
    ys.push(Math.floor(i / width));
  }
  const meanX = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let k = 0; k < xs.length; k++) {
    xx += (xs[k] - meanX) ** 2;
    yy += (ys[k] - meanY) ** 2;
    xy += (xs[k] - meanX) * (ys[k] - meanY);
  }
  // The tensor is [[xx, −xy], [−xy, yy]] / count; its eigenvalues in closed form, clipped at 0.
  const half = (xx + yy) / 2;
  const spread = Math.hypot((xx - yy) / 2, xy);
  const major = Math.max(half + spread, 0);
  const minor = Math.max(half - spread, 0);
  return major === 0 ? 0 : Math.sqrt(1 - minor / major);
}
