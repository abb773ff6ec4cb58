// Colour statistics: Reinhard et al. (2001) colour transfer in Ruderman's lαβ space (the paper's
// colour normalisation, REFERENCE_SPEC §4) and per-channel mean/std for the network input.
import { createRaster, type Raster } from './raster.js';

/** Mean and (population) standard deviation of l, α and β over an image. */
export interface LabStatistics {
  mean: [number, number, number];
  std: [number, number, number];
}

// RGB → LMS (Reinhard et al. 2001, eq. 1) and its exact inverse.
const RGB_TO_LMS = [0.3811, 0.5783, 0.0402, 0.1967, 0.7244, 0.0782, 0.0241, 0.1288, 0.8444];
const LMS_TO_RGB = invert3x3(RGB_TO_LMS);
const INV_SQRT3 = 1 / Math.sqrt(3);
const INV_SQRT6 = 1 / Math.sqrt(6);
const INV_SQRT2 = 1 / Math.SQRT2;
// log10 and 10^x through the natural log and exp, which V8 computes several times faster.
const LOG10_E = Math.LOG10E;
const LN_10 = Math.LN10;

/**
 * The lαβ values of an 8-bit image's first three channels (RGB on the 0..255 scale), as three
 * planes l, α, β. LMS values below 1 are clamped to 1 so black stays finite in log space.
 */
function toLab(image: Raster): Float64Array {
  if (image.channels < 3) throw new RangeError(`colour transfer needs an RGB image, got ${image.channels} channels`);
  const { channels, data } = image;
  const n = image.width * image.height;
  const lab = new Float64Array(3 * n);
  const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = RGB_TO_LMS;
  for (let p = 0, i = 0; p < n; p++, i += channels) {
    const r = data[i];
    const g = data[i + 1];
    const b = data[i + 2];
    const logL = LOG10_E * Math.log(Math.max(a00 * r + a01 * g + a02 * b, 1));
    const logM = LOG10_E * Math.log(Math.max(a10 * r + a11 * g + a12 * b, 1));
    const logS = LOG10_E * Math.log(Math.max(a20 * r + a21 * g + a22 * b, 1));
    lab[p] = (logL + logM + logS) * INV_SQRT3;
    lab[n + p] = (logL + logM - 2 * logS) * INV_SQRT6;
    lab[2 * n + p] = (logL - logM) * INV_SQRT2;
  }
  return lab;
}

function planeStatistics(lab: Float64Array): LabStatistics {
  const n = lab.length / 3;
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let p = c * n; p < (c + 1) * n; p++) sum += lab[p];
    const m = sum / n;
    let squares = 0;
    for (let p = c * n; p < (c + 1) * n; p++) squares += (lab[p] - m) * (lab[p] - m);
    mean[c] = m;
    std[c] = Math.sqrt(squares / n);
  }
  return { mean, std };
}

/** The lαβ statistics of a reference image: the target of reinhardTransfer. */
export function labStatistics(image: Raster): LabStatistics {
  return planeStatistics(toLab(image));
}

/** Saved statistics (e.g. parsed JSON of a LabStatistics) checked for shape; `source` names where they came from. */
export function labStatisticsFrom(value: unknown, source: string): LabStatistics {
  const triple = (field: string): [number, number, number] => {
    const entry = (value as Record<string, unknown> | null)?.[field];
    if (!Array.isArray(entry) || entry.length !== 3 || !entry.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new TypeError(`${source}: colour statistics need '${field}' as three finite numbers`);
    }
    return [entry[0], entry[1], entry[2]];
  };
  const statistics = { mean: triple('mean'), std: triple('std') };
  if (statistics.std.some((s) => s < 0)) throw new RangeError(`${source}: colour statistics have a negative std`);
  return statistics;
}

/**
 * Reinhard colour transfer: each lαβ channel of the image is shifted and scaled to the target's
 * mean and std, then mapped back to RGB, clipped to 0..255 (a channel with no spread takes the
 * target mean). Returns 3-channel floats.
 */
export function reinhardTransfer(image: Raster, target: LabStatistics): Raster<Float32Array> {
  const lab = toLab(image);
  const source = planeStatistics(lab);
  const n = image.width * image.height;
  const scale = [0, 1, 2].map((c) => target.std[c] / (source.std[c] > 0 ? source.std[c] : 1));
  const shift = [0, 1, 2].map((c) => target.mean[c] - source.mean[c] * scale[c]);
  const [b00, b01, b02, b10, b11, b12, b20, b21, b22] = LMS_TO_RGB;
  const out = new Float32Array(3 * n);
  for (let p = 0; p < n; p++) {
    const l = (lab[p] * scale[0] + shift[0]) * INV_SQRT3;
    const alpha = (lab[n + p] * scale[1] + shift[1]) * INV_SQRT6;
    const beta = (lab[2 * n + p] * scale[2] + shift[2]) * INV_SQRT2;
    const lmsL = Math.exp(LN_10 * (l + alpha + beta));
    const lmsM = Math.exp(LN_10 * (l + alpha - beta));
    const lmsS = Math.exp(LN_10 * (l - 2 * alpha));
    out[3 * p] = clip255(b00 * lmsL + b01 * lmsM + b02 * lmsS);
    out[3 * p + 1] = clip255(b10 * lmsL + b11 * lmsM + b12 * lmsS);
    out[3 * p + 2] = clip255(b20 * lmsL + b21 * lmsM + b22 * lmsS);
  }
  return createRaster(out, image.width, image.height, 3);
}

/** reinhardTransfer rounded to an 8-bit RGB image. */
export function reinhardNormalize(image: Raster, target: LabStatistics): Raster<Uint8Array> {
  const transferred = reinhardTransfer(image, target);
  return createRaster(Uint8Array.from(transferred.data, Math.round), image.width, image.height, 3);
}

function clip255(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/**
 * Per-channel mean and population std pooled over every pixel of every image added, divided by 255
 * (REFERENCE_SPEC §4: mean_c = Σx/N, std_c = sqrt(Σx²/N − mean_c²)).
 */
export class ChannelStatistics {
  readonly #sum: Float64Array;
  readonly #squares: Float64Array;
  #pixels = 0;

  constructor(readonly channels = 3) {
    this.#sum = new Float64Array(channels);
    this.#squares = new Float64Array(channels);
  }

  /** Adds the first `channels` channels of an image. */
  add(image: Raster): void {
    if (image.channels < this.channels) throw new RangeError(`expected at least ${this.channels} channels, got ${image.channels}`);
    const { data, channels } = image;
    for (let c = 0; c < this.channels; c++) {
      let sum = 0;
      let squares = 0;
      for (let i = c; i < data.length; i += channels) {
        sum += data[i];
        squares += data[i] * data[i];
      }
      this.#sum[c] += sum;
      this.#squares[c] += squares;
    }
    this.#pixels += image.width * image.height;
  }

  get mean(): number[] {
    return Array.from(this.#sum, (sum) => sum / this.#pixels / 255);
  }

  get std(): number[] {
    return Array.from(this.#sum, (sum, c) => {
      const mean = sum / this.#pixels;
      return Math.sqrt(Math.max(this.#squares[c] / this.#pixels - mean * mean, 0)) / 255;
    });
  }
}

function invert3x3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, k] = m;
  const cofactors = [e * k - f * h, c * h - b * k, b * f - c * e, f * g - d * k, a * k - c * g, c * d - a * f, d * h - e * g, b * g - a * h, a * e - b * d];
  const determinant = a * cofactors[0] + b * cofactors[3] + c * cofactors[6];
  return cofactors.map((value) => value / determinant);
}
