// Colour statistics: Reinhard et al. (2001) colour transfer in Ruderman's lαβ space (the paper's
// colour normalisation, REFERENCE_SPEC §4) and per-channel mean/std for the network input.
//
// An H&E image of a million pixels has only about 60 000 to 130 000 distinct colours, and the
// transfer is a function of the colour, so the logarithms and exponentials are computed once per
// distinct colour rather than per pixel.
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

/** The distinct colours of an image (packed 0xRRGGBB), how many pixels have each, and every pixel's colour index. */
interface ColourTable {
  colours: Int32Array;
  counts: Float64Array;
  pixelColour: Int32Array;
}

function colourTable(image: Raster): ColourTable {
  if (image.channels < 3) throw new RangeError(`colour transfer needs an RGB image, got ${image.channels} channels`);
  if (!(image.data instanceof Uint8Array)) throw new RangeError(`colour transfer needs 8-bit samples, got ${image.data.constructor.name}`);
  const { channels, data } = image;
  const n = image.width * image.height;
  // A hash table (open addressing, linear probing) kept at most half full, grown as colours come.
  let bits = 12;
  let slotKey = new Int32Array(1 << bits).fill(-1);
  let slotColour = new Int32Array(1 << bits);
  let colours = new Int32Array(1 << (bits - 1));
  let counts = new Float64Array(colours.length);
  const slotOf = (key: number): number => {
    const mask = (1 << bits) - 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
    while (slotKey[slot] !== key && slotKey[slot] !== -1) slot = (slot + 1) & mask;
    return slot;
  };
  const pixelColour = new Int32Array(n);
  let distinct = 0;
  for (let p = 0, i = 0; p < n; p++, i += channels) {
    const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    let slot = slotOf(key);
    if (slotKey[slot] === -1) {
      if (distinct === colours.length) {
        bits++;
        slotKey = new Int32Array(1 << bits).fill(-1);
        slotColour = new Int32Array(1 << bits);
        for (let k = 0; k < distinct; k++) {
          const moved = slotOf(colours[k]);
          slotKey[moved] = colours[k];
          slotColour[moved] = k;
        }
        colours = grow(colours, 2 * distinct);
        counts = grow(counts, 2 * distinct);
        slot = slotOf(key);
      }
      slotKey[slot] = key;
      slotColour[slot] = distinct;
      colours[distinct++] = key;
    }
    const colour = slotColour[slot];
    counts[colour]++;
    pixelColour[p] = colour;
  }
  return { colours: colours.subarray(0, distinct), counts: counts.subarray(0, distinct), pixelColour };
}

function grow<T extends Int32Array | Float64Array>(array: T, length: number): T {
  const larger = new (array.constructor as new (length: number) => T)(length);
  larger.set(array);
  return larger;
}

/**
 * The lαβ values of packed RGB colours (0..255 scale), as [l, α, β] per colour. LMS values below 1
 * are clamped to 1 so black stays finite in log space.
 */
function toLab(colours: Int32Array): Float64Array {
  const lab = new Float64Array(3 * colours.length);
  const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = RGB_TO_LMS;
  for (let k = 0; k < colours.length; k++) {
    const r = colours[k] >>> 16;
    const g = (colours[k] >>> 8) & 0xff;
    const b = colours[k] & 0xff;
    const logL = Math.log10(Math.max(a00 * r + a01 * g + a02 * b, 1));
    const logM = Math.log10(Math.max(a10 * r + a11 * g + a12 * b, 1));
    const logS = Math.log10(Math.max(a20 * r + a21 * g + a22 * b, 1));
    lab[3 * k] = (logL + logM + logS) * INV_SQRT3;
    lab[3 * k + 1] = (logL + logM - 2 * logS) * INV_SQRT6;
    lab[3 * k + 2] = (logL - logM) * INV_SQRT2;
  }
  return lab;
}

/** Mean and std of each lαβ channel over the pixels (each colour weighted by its pixel count). */
function weightedStatistics(lab: Float64Array, counts: Float64Array): LabStatistics {
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  const pixels = counts.reduce((sum, count) => sum + count, 0);
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    for (let k = 0; k < counts.length; k++) sum += counts[k] * lab[3 * k + c];
    const m = sum / pixels;
    let squares = 0;
    for (let k = 0; k < counts.length; k++) squares += counts[k] * (lab[3 * k + c] - m) * (lab[3 * k + c] - m);
    mean[c] = m;
    std[c] = Math.sqrt(squares / pixels);
  }
  return { mean, std };
}

/** The lαβ statistics of a reference image (8-bit RGB or RGBA): the target of reinhardTransfer. */
export function labStatistics(image: Raster): LabStatistics {
  const { colours, counts } = colourTable(image);
  return weightedStatistics(toLab(colours), counts);
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
 * Reinhard colour transfer of an 8-bit RGB(A) image: each lαβ channel is shifted and scaled to the
 * target's mean and std, then mapped back to RGB, clipped to 0..255 (a channel with no spread takes
 * the target mean). Returns 3-channel floats.
 */
export function reinhardTransfer(image: Raster, target: LabStatistics): Raster<Float32Array> {
  const { pixelColour, transferred } = transferColours(image, target);
  return createRaster(paintColours(pixelColour, transferred, new Float32Array(3 * pixelColour.length)), image.width, image.height, 3);
}

/** reinhardTransfer rounded to an 8-bit RGB image. */
export function reinhardNormalize(image: Raster, target: LabStatistics): Raster<Uint8Array> {
  const { pixelColour, transferred } = transferColours(image, target);
  const rounded = Uint8Array.from(transferred, Math.round);
  return createRaster(paintColours(pixelColour, rounded, new Uint8Array(3 * pixelColour.length)), image.width, image.height, 3);
}

/** Writes into `out` the RGB (from perColour) of every pixel's colour. */
function paintColours<T extends Float32Array | Uint8Array>(pixelColour: Int32Array, perColour: ArrayLike<number>, out: T): T {
  for (let p = 0; p < pixelColour.length; p++) {
    const k = 3 * pixelColour[p];
    out[3 * p] = perColour[k];
    out[3 * p + 1] = perColour[k + 1];
    out[3 * p + 2] = perColour[k + 2];
  }
  return out;
}

/** The transferred RGB of every distinct colour of the image, and each pixel's colour index. */
function transferColours(image: Raster, target: LabStatistics): { pixelColour: Int32Array; transferred: Float64Array } {
  const { colours, counts, pixelColour } = colourTable(image);
  const lab = toLab(colours);
  const source = weightedStatistics(lab, counts);
  const scale = [0, 1, 2].map((c) => target.std[c] / (source.std[c] > 0 ? source.std[c] : 1));
  const shift = [0, 1, 2].map((c) => target.mean[c] - source.mean[c] * scale[c]);
  const [b00, b01, b02, b10, b11, b12, b20, b21, b22] = LMS_TO_RGB;
  const transferred = new Float64Array(lab.length);
  for (let k = 0; k < lab.length; k += 3) {
    const l = (lab[k] * scale[0] + shift[0]) * INV_SQRT3;
    const alpha = (lab[k + 1] * scale[1] + shift[1]) * INV_SQRT6;
    const beta = (lab[k + 2] * scale[2] + shift[2]) * INV_SQRT2;
    const lmsL = 10 ** (l + alpha + beta);
    const lmsM = 10 ** (l + alpha - beta);
    const lmsS = 10 ** (l - 2 * alpha);
    transferred[k] = clip255(b00 * lmsL + b01 * lmsM + b02 * lmsS);
    transferred[k + 1] = clip255(b10 * lmsL + b11 * lmsM + b12 * lmsS);
    transferred[k + 2] = clip255(b20 * lmsL + b21 * lmsM + b22 * lmsS);
  }
  return { pixelColour, transferred };
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
