// Shared by the image tests: golden outputs from scikit-image/scipy (one Python run per call, arrays
// passed as raw files), seeded random test rasters and the real CoNSeP label maps.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRaster, type LabelMap, type Mask, type PixelArray, type Raster } from '../../src/image/raster.js';
import { consepDir, runPython } from '../support/env.js';

export interface GoldenTask {
  /** An operation of test/reference/image/skimage_ops.py. */
  op: string;
  input: Raster;
  params?: Record<string, unknown>;
}

interface GoldenFile {
  path: string;
  dtype: string;
  shape: number[];
}

const dtypeOf = new Map<Function, string>([
  [Uint8Array, 'uint8'], [Uint16Array, 'uint16'], [Int32Array, 'int32'], [Float32Array, 'float32'], [Float64Array, 'float64'],
]);

/** Runs every task in one Python process; returns each task's result arrays. */
export function golden(tasks: GoldenTask[]): PixelArray[][] {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-golden-'));
  try {
    const job = tasks.map(({ op, input, params }, k) => {
      const path = join(dir, `in${k}.bin`);
      writeFileSync(path, new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.byteLength));
      const shape = input.channels === 1 ? [input.height, input.width] : [input.height, input.width, input.channels];
      return { op, input: path, dtype: dtypeOf.get(input.data.constructor), shape, params: params ?? {}, output: join(dir, `out${k}`) };
    });
    const described = JSON.parse(runPython('test/reference/image/skimage_ops.py', [], JSON.stringify({ tasks: job }))) as GoldenFile[][];
    return described.map((files) => files.map(readArray));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readArray({ path, dtype }: GoldenFile): PixelArray {
  const bytes = readFileSync(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (dtype) {
    case 'uint8': return new Uint8Array(buffer);
    case 'uint16': return new Uint16Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    default: throw new Error(`unexpected golden dtype ${dtype}`);
  }
}

/** A seeded uniform [0, 1) generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random blobs: noise, smoothed by a box filter, thresholded so about `fill` of the pixels are set. */
export function randomMask(width: number, height: number, fill: number, seed: number): Mask {
  const random = seededRandom(seed);
  const noise = Float64Array.from({ length: width * height }, () => random());
  const smooth = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < height && xx >= 0 && xx < width) {
            sum += noise[yy * width + xx];
            n++;
          }
        }
      }
      smooth[y * width + x] = sum / n;
    }
  }
  const threshold = [...smooth].sort((a, b) => a - b)[Math.floor((1 - fill) * smooth.length)];
  return createRaster(Uint8Array.from(smooth, (v) => (v >= threshold ? 1 : 0)), width, height);
}

/** Random values 0..levels−1 everywhere: many touching regions of equal value. */
export function randomLevels(width: number, height: number, levels: number, seed: number): LabelMap {
  const random = seededRandom(seed);
  return createRaster(Int32Array.from({ length: width * height }, () => Math.floor(random() * levels)), width, height);
}

/** Names of the CoNSeP training images. */
export function consepNames(): string[] {
  return readdirSync(join(consepDir, 'images')).filter((name) => name.endsWith('.png')).map((name) => name.slice(0, -4)).sort();
}

/** A CoNSeP instance label map, read directly with sharp (independent of src/image/io.ts). */
export async function consepLabels(name: string): Promise<LabelMap> {
  const { data, info } = await sharp(join(consepDir, 'labels', `${name}_label.png`))
    .toColourspace('grey16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  const values = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  return createRaster(Int32Array.from(values), info.width, info.height);
}

export function assertArraysEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      if (first < 0) first = i;
      mismatches++;
    }
  }
  if (mismatches > 0) {
    throw new Error(`${what}: ${mismatches} of ${actual.length} values differ, first at ${first}: ${actual[first]} vs ${expected[first]}`);
  }
}

export function assertArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= worst)) {
      worst = error;
      at = i;
    }
  }
  if (!(worst <= tolerance)) throw new Error(`${what}: max error ${worst} at ${at} (${actual[at]} vs ${expected[at]}) exceeds ${tolerance}`);
}
