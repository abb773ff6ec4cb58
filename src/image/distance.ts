// Exact Euclidean distance transform in linear time (Maurer, Qi & Raghavan 2003, the algorithm of
// scipy.ndimage.distance_transform_edt), so that distances and, on ties, the chosen nearest
// background pixel are scipy's.
import { assertSingleChannel, createRaster, type Raster } from './raster.js';

export interface DistanceTransform {
  /** Distance from each pixel to the nearest zero pixel (0 on zero pixels). */
  distance: Raster<Float64Array>;
  /** With `nearest: true`: the index y·width + x of that zero pixel. */
  nearest?: Raster<Int32Array>;
}

/**
 * scipy.ndimage.distance_transform_edt(raster != 0, return_indices=nearest). Where the raster has
 * no zero pixel at all, distances are Infinity and nearest indices −1.
 */
export function distanceTransform(raster: Raster, options: { nearest?: boolean } = {}): DistanceTransform {
  assertSingleChannel(raster, 'distance transform');
  const { width, height, data } = raster;
  const nearestRow = nearestZeroInColumn(data, width, height);
  const distance = new Float64Array(width * height).fill(Infinity);
  const nearest = options.nearest ? new Int32Array(width * height).fill(-1) : undefined;

  // Per row, the candidates are the columns' nearest zero pixels; the lower envelope of their
  // distance parabolas is kept on a stack (columns and squared vertical offsets).
  const columns = new Int32Array(width);
  const rise = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let top = -1;
    for (let x = 0; x < width; x++) {
      const featureRow = nearestRow[row + x];
      if (featureRow < 0) continue;
      const w = (featureRow - y) * (featureRow - y);
      while (top >= 1) {
        const a = columns[top] - columns[top - 1];
        const b = x - columns[top];
        const c = a + b;
        if (c * rise[top] - b * rise[top - 1] - a * w - a * b * c <= 0) break;
        top--;
      }
      top++;
      columns[top] = x;
      rise[top] = w;
    }
    if (top < 0) continue;
    let k = 0;
    for (let x = 0; x < width; x++) {
      let best = (columns[k] - x) * (columns[k] - x) + rise[k];
      while (k < top) {
        const next = (columns[k + 1] - x) * (columns[k + 1] - x) + rise[k + 1];
        if (best <= next) break;
        best = next;
        k++;
      }
      distance[row + x] = Math.sqrt(best);
      if (nearest) nearest[row + x] = nearestRow[row + columns[k]] * width + columns[k];
    }
  }
  return {
    distance: createRaster(distance, width, height),
    ...(nearest ? { nearest: createRaster(nearest, width, height) } : {}),
  };
}

/** For every pixel, the row of the nearest zero pixel in its column (the upper one on ties; −1 if none). */
function nearestZeroInColumn(data: Raster['data'], width: number, height: number): Int32Array {
  const nearestRow = new Int32Array(width * height);
  const latest = new Int32Array(width).fill(-1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] === 0) latest[x] = y;
      nearestRow[row + x] = latest[x];
    }
  }
  latest.fill(-1);
  for (let y = height - 1; y >= 0; y--) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] === 0) latest[x] = y;
      const below = latest[x];
      const above = nearestRow[row + x];
      if (below >= 0 && (above < 0 || below - y < y - above)) nearestRow[row + x] = below;
    }
  }
  return nearestRow;
}
