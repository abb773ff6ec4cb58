// Neural-network functions (as torch.nn.functional): convolutions, normalisation, pooling,
// resampling and losses. Pairs of numbers may be given as one number for both dimensions.
import { native, type Reduction } from './native.js';
import { Tensor } from './tensor.js';

export type Pair = number | readonly [number, number];

function pair(value: Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = options;
  return new Tensor(native.conv2d(x.handle, weight.handle, bias?.handle ?? null, pair(stride), pair(padding), pair(dilation), groups));
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: Pair;
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  const { stride = 1, padding = 0, outputPadding = 0, dilation = 1, groups = 1 } = options;
  return new Tensor(
    native.convTranspose2d(x.handle, weight.handle, bias?.handle ?? null, pair(stride), pair(padding), pair(outputPadding), groups, pair(dilation)),
  );
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  training: boolean;
  momentum?: number;
  eps?: number;
}

/** Batch normalisation; in training mode it updates the running statistics in place, as PyTorch does. */
export function batchNorm(x: Tensor, options: BatchNormOptions): Tensor {
  const { weight = null, bias = null, runningMean = null, runningVar = null, training, momentum = 0.1, eps = 1e-5 } = options;
  return new Tensor(
    native.batchNorm(x.handle, weight?.handle ?? null, bias?.handle ?? null, runningMean?.handle ?? null, runningVar?.handle ?? null, training, momentum, eps),
  );
}

export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return new Tensor(native.linear(x.handle, weight.handle, bias?.handle ?? null));
}

export function relu(x: Tensor): Tensor {
  return new Tensor(native.relu(x.handle));
}
/** ReLU in place; returns x. */
export function relu_(x: Tensor): Tensor {
  native.relu_(x.handle);
  return x;
}

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}

export function maxPool2d(x: Tensor, kernel: Pair, options: Pool2dOptions & { dilation?: Pair } = {}): Tensor {
  const { stride = kernel, padding = 0, dilation = 1, ceilMode = false } = options;
  return new Tensor(native.maxPool2d(x.handle, pair(kernel), pair(stride), pair(padding), pair(dilation), ceilMode));
}

export function avgPool2d(x: Tensor, kernel: Pair, options: Pool2dOptions & { countIncludePad?: boolean } = {}): Tensor {
  const { stride = kernel, padding = 0, ceilMode = false, countIncludePad = true } = options;
  return new Tensor(native.avgPool2d(x.handle, pair(kernel), pair(stride), pair(padding), ceilMode, countIncludePad));
}

export function adaptiveAvgPool2d(x: Tensor, size: Pair): Tensor {
  return new Tensor(native.adaptiveAvgPool2d(x.handle, pair(size)));
}

/** Element-wise dropout: zeroes with probability p and scales the rest by 1/(1−p) when training. */
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  checkProbability(p);
  return new Tensor(native.dropout(x.handle, p, training));
}
/** Channel-wise dropout (whole feature maps), as nn.Dropout2d. */
export function dropout2d(x: Tensor, p: number, training: boolean): Tensor {
  checkProbability(p);
  return new Tensor(native.dropout2d(x.handle, p, training));
}

function checkProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability must lie in [0, 1], got ${p}`);
}

/** Resizes N×C×H×W maps to size (height, width). */
export function interpolate(x: Tensor, size: Pair, mode: 'nearest' | 'bilinear', alignCorners = false): Tensor {
  return new Tensor(native.interpolate(x.handle, pair(size), mode, alignCorners));
}

export interface GridSampleOptions {
  mode?: 'bilinear' | 'nearest' | 'bicubic';
  paddingMode?: 'zeros' | 'border' | 'reflection';
  alignCorners?: boolean;
}

/** Samples x (N×C×H×W) at grid (N×H'×W'×2, x then y, in [−1, 1]). */
export function gridSample(x: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  const { mode = 'bilinear', paddingMode = 'zeros', alignCorners = false } = options;
  return new Tensor(native.gridSample(x.handle, grid.handle, mode, paddingMode, alignCorners));
}

/** Pads the last dimensions; pads lists (before, after) pairs from the last dimension backwards, as F.pad. */
export function pad(x: Tensor, pads: readonly number[], mode: 'constant' | 'reflect' | 'replicate' = 'constant', value = 0): Tensor {
  if (pads.length % 2 !== 0) throw new RangeError(`pad() needs (before, after) pairs, got ${pads.length} numbers`);
  return new Tensor(native.pad(x.handle, pads, mode, value));
}

export function pixelShuffle(x: Tensor, factor: number): Tensor {
  return new Tensor(native.pixelShuffle(x.handle, factor));
}

export function softmax(x: Tensor, dim: number): Tensor {
  return new Tensor(native.softmax(x.handle, dim));
}
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return new Tensor(native.logSoftmax(x.handle, dim));
}

/**
 * Negative log-likelihood of integer targets under log-probabilities (N×C×…), each element multiplied
 * by its weight (same shape as target) when one is given; the mean over all elements, their sum, or
 * the per-element values.
 */
export function nllLoss(logProbs: Tensor, target: Tensor, weight: Tensor | null = null, reduction: Reduction = 'mean'): Tensor {
  return new Tensor(native.nllLoss(logProbs.handle, target.handle, weight?.handle ?? null, reduction));
}

export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  return new Tensor(native.mseLoss(a.handle, b.handle, reduction));
}

/**
 * mean((input − target)²) as a float32 scalar for float32 or bfloat16 tensors of one dtype, summed in
 * float32/float64 straight from the inputs (no converted copies; CPU only). Differentiable in input
 * only; its gradient has input's dtype.
 */
export function meanSquaredError(input: Tensor, target: Tensor): Tensor {
  return new Tensor(native.meanSquaredError(input.handle, target.handle));
}

/**
 * The per-pixel argmax over the channels of a C×H×W map (ties to the lower channel, NaN largest, as
 * torch.argmax), written into `out` (H·W values): no copy of the map leaves libtorch.
 */
export function channelArgmax(map: Tensor, out: Uint8Array): void {
  native.channelArgmax(map.handle, out);
}

/**
 * Per label id 0..largest of `labels` (H·W ids): its pixel count, then the sums of channels
 * first..first+count−1 of a C×H×W map over its pixels: (largest + 1)·(count + 1) values, id-major.
 */
export function sumsByLabel(map: Tensor, first: number, count: number, labels: Int32Array, largest: number): Float64Array {
  return native.sumsByLabel(map.handle, first, count, labels, largest);
}

export function oneHot(indices: Tensor, classes: number): Tensor {
  return new Tensor(native.oneHot(indices.handle, classes));
}
