// The slide as the model sees it: pixels at the model's training scale (µm per pixel), read from the
// pyramid level closest above that scale and resampled where the level's scale differs by more than
// SCALE_TOLERANCE. All tiling and post-processing happens in view pixels; results are mapped back to
// level-0 slide pixels for output.
import { createRaster, type Raster } from '../image/raster.js';
import type { Slide } from './slide-source.js';

/** Relative scale mismatch read without resampling (scanners' "40×" ranges from 0.23 to 0.26 µm/px). */
export const SCALE_TOLERANCE = 0.05;

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export class ModelView {
  /** The pyramid level read. */
  readonly level: number;
  /** Level pixels per view pixel: 1 where the level is read as it is. */
  readonly levelPerView: number;
  /** Level-0 slide pixels per view pixel. */
  readonly slidePerView: number;
  /** µm per view pixel. */
  readonly mpp: number;
  readonly width: number;
  readonly height: number;

  constructor(
    readonly slide: Slide,
    modelMpp: number,
  ) {
    const wanted = modelMpp / slide.mpp;
    // The coarsest level that is not coarser than the model's scale (beyond the tolerance).
    let level = 0;
    slide.levels.forEach((candidate, k) => {
      if (candidate.downsample <= wanted * (1 + SCALE_TOLERANCE) && candidate.downsample > slide.levels[level].downsample) level = k;
    });
    const downsample = slide.levels[level].downsample;
    this.level = level;
    this.levelPerView = Math.abs(wanted / downsample - 1) <= SCALE_TOLERANCE ? 1 : wanted / downsample;
    this.slidePerView = downsample * this.levelPerView;
    this.mpp = slide.mpp * this.slidePerView;
    this.width = Math.floor(slide.width / this.slidePerView);
    this.height = Math.floor(slide.height / this.slidePerView);
  }

  /** The RGB pixels of a rectangle of the view. */
  read(rect: Rect): Raster<Uint8Array> {
    const { level, levelPerView: r } = this;
    const { downsample, width: levelWidth, height: levelHeight } = this.slide.levels[level];
    if (r === 1) return this.slide.readRegion(level, Math.round(rect.x * downsample), Math.round(rect.y * downsample), rect.width, rect.height);
    const columns = resamplingTaps(rect.x, rect.width, r, levelWidth);
    const rows = resamplingTaps(rect.y, rect.height, r, levelHeight);
    const source = this.slide.readRegion(level, Math.round(columns.first * downsample), Math.round(rows.first * downsample), columns.span, rows.span);
    return resample(source, columns, rows);
  }

  /** A view rectangle in level-0 slide pixels. */
  toSlide(rect: Rect): Rect {
    const s = this.slidePerView;
    return { x: rect.x * s, y: rect.y * s, width: rect.width * s, height: rect.height * s };
  }
}

// Linear interpolation widened to the sampling step when shrinking (a triangle filter of support
// max(1, r), as Pillow's bilinear resize), computed per axis. Taps are relative to `first`, the
// first source pixel read; each output pixel's weights sum to 1.
interface AxisTaps {
  readonly first: number;
  readonly span: number;
  readonly start: Int32Array;
  readonly weights: Float32Array[];
}

function resamplingTaps(viewStart: number, length: number, r: number, sourceLength: number): AxisTaps {
  const support = Math.max(1, r);
  const centres = Array.from({ length }, (_, i) => (viewStart + i + 0.5) * r - 0.5);
  const first = Math.max(0, Math.floor(centres[0] - support) + 1);
  const last = Math.min(sourceLength - 1, Math.ceil(centres[length - 1] + support) - 1);
  const start = new Int32Array(length);
  const weights = centres.map((centre, i) => {
    const lo = Math.max(first, Math.floor(centre - support) + 1);
    const hi = Math.min(last, Math.ceil(centre + support) - 1);
    const w = new Float32Array(Math.max(1, hi - lo + 1));
    let sum = 0;
    for (let k = lo; k <= hi; k++) sum += w[k - lo] = Math.max(0, 1 - Math.abs(k - centre) / support);
    if (sum === 0) w[0] = sum = 1; // outside the slide: the edge pixel
    for (let k = 0; k < w.length; k++) w[k] /= sum;
    start[i] = Math.min(Math.max(lo, first), last) - first;
    return w;
  });
  return { first, span: last - first + 1, start, weights };
}

function resample(source: Raster<Uint8Array>, columns: AxisTaps, rows: AxisTaps): Raster<Uint8Array> {
  const width = columns.start.length;
  const height = rows.start.length;
  // Horizontal pass into floats (source rows × output columns), then vertical.
  const horizontal = new Float32Array(source.height * width * 3);
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < width; x++) {
      const w = columns.weights[x];
      let p = (y * source.width + columns.start[x]) * 3;
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < w.length; k++, p += 3) {
        r += w[k] * source.data[p];
        g += w[k] * source.data[p + 1];
        b += w[k] * source.data[p + 2];
      }
      const o = (y * width + x) * 3;
      horizontal[o] = r;
      horizontal[o + 1] = g;
      horizontal[o + 2] = b;
    }
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const w = rows.weights[y];
    for (let i = 0; i < width * 3; i++) {
      let value = 0;
      for (let k = 0, p = rows.start[y] * width * 3 + i; k < w.length; k++, p += width * 3) value += w[k] * horizontal[p];
      out[y * width * 3 + i] = Math.round(value);
    }
  }
  return createRaster(out, width, height, 3);
}
