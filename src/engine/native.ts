// The compiled addon (native/), loaded once, with the types of everything it exports. Only the engine
// talks to it; the rest of histonuc uses Tensor and friends.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An opaque reference to one libtorch tensor. */
export interface TensorHandle {
  readonly __brand: 'TensorHandle';
}
/** An opaque seeded random-number generator. */
export interface GeneratorHandle {
  readonly __brand: 'GeneratorHandle';
}

export type DType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';
export type DeviceName = 'cpu' | 'cuda' | `cuda:${number}`;
export type Reduction = 'mean' | 'sum' | 'none';

/** The caching CPU allocator's counters (native/src/cpu_allocator.cc); all 0 when it is off. */
export interface CpuCacheStats {
  /** Bytes of freed blocks kept for reuse. */
  cachedBytes: number;
  /** Bytes of cacheable blocks (≥ 32 KiB, rounded to their size class) held by live tensors. */
  allocatedBytes: number;
  /** Cacheable allocations served from the cache. */
  hits: number;
  /** Cacheable allocations that mapped new memory. */
  misses: number;
  /** Most bytes the cache keeps (HISTONUC_CPU_CACHE_MB; default min(4 GiB, RAM/4)). */
  capBytes: number;
}

type H = TensorHandle;
type Operand = TensorHandle | number | boolean;
type Ints = readonly number[];

export interface NativeBinding {
  // creation, copies, metadata
  fromBuffer(data: ArrayBufferView, shape: Ints, dtype: DType, device: DeviceName): H;
  toBuffer(t: H): ArrayBuffer;
  item(t: H): number;
  dispose(t: H): void;
  isDisposed(t: H): boolean;
  /** Handles not yet disposed in this thread (a leak check). */
  liveTensors(): number;
  shape(t: H): number[];
  dtype(t: H): DType;
  device(t: H): DeviceName;
  isContiguous(t: H, channelsLast: boolean): boolean;
  sameStorage(a: H, b: H): boolean;
  zeros(shape: Ints, dtype: DType, device: DeviceName): H;
  ones(shape: Ints, dtype: DType, device: DeviceName): H;
  full(shape: Ints, value: number, dtype: DType, device: DeviceName): H;
  empty(shape: Ints, dtype: DType, device: DeviceName): H;
  arange(start: number, end: number, step: number, dtype: DType, device: DeviceName): H;
  linspace(start: number, end: number, steps: number, dtype: DType, device: DeviceName): H;
  toDtype(t: H, dtype: DType): H;
  toDevice(t: H, device: DeviceName): H;
  clone(t: H): H;
  copy_(dst: H, src: H): void;
  fill_(t: H, value: number): void;
  zero_(t: H): void;
  // random numbers
  manualSeed(seed: number): void;
  createGenerator(seed: number): GeneratorHandle;
  getRngState(generator?: GeneratorHandle | null): H;
  setRngState(state: H, generator?: GeneratorHandle | null): void;
  rand(shape: Ints, dtype: DType, device: DeviceName, generator?: GeneratorHandle | null): H;
  randn(shape: Ints, dtype: DType, device: DeviceName, generator?: GeneratorHandle | null): H;
  randint(low: number, high: number, shape: Ints, dtype: DType, device: DeviceName, generator?: GeneratorHandle | null): H;
  randperm(n: number, generator?: GeneratorHandle | null): H;
  uniform_(t: H, low: number, high: number, generator?: GeneratorHandle | null): void;
  normal_(t: H, mean: number, std: number, generator?: GeneratorHandle | null): void;
  // threads and devices
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaDeviceCount(): number;
  cudaSynchronize(): void;
  libtorchVersion(): string;
  cpuCacheStats(): CpuCacheStats;
  emptyCpuCache(): void;
  // neural-network ops
  conv2d(x: H, w: H, b: H | null, stride: Ints, padding: Ints, dilation: Ints, groups: number): H;
  convTranspose2d(x: H, w: H, b: H | null, stride: Ints, padding: Ints, outputPadding: Ints, groups: number, dilation: Ints): H;
  batchNorm(x: H, weight: H | null, bias: H | null, runningMean: H | null, runningVar: H | null, training: boolean, momentum: number, eps: number): H;
  linear(x: H, w: H, b: H | null): H;
  relu(x: H): H;
  relu_(x: H): void;
  sigmoid(x: H): H;
  tanh(x: H): H;
  softmax(x: H, dim: number): H;
  logSoftmax(x: H, dim: number): H;
  maxPool2d(x: H, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, ceilMode: boolean): H;
  avgPool2d(x: H, kernel: Ints, stride: Ints, padding: Ints, ceilMode: boolean, countIncludePad: boolean): H;
  adaptiveAvgPool2d(x: H, size: Ints): H;
  dropout(x: H, p: number, training: boolean): H;
  dropout2d(x: H, p: number, training: boolean): H;
  interpolate(x: H, size: Ints, mode: 'nearest' | 'bilinear', alignCorners: boolean): H;
  gridSample(x: H, grid: H, mode: 'bilinear' | 'nearest' | 'bicubic', padding: 'zeros' | 'border' | 'reflection', alignCorners: boolean): H;
  pad(x: H, pads: Ints, mode: 'constant' | 'reflect' | 'replicate', value: number): H;
  pixelShuffle(x: H, factor: number): H;
  nllLoss(logProbs: H, target: H, weight: H | null, reduction: Reduction): H;
  mseLoss(a: H, b: H, reduction: Reduction): H;
  oneHot(t: H, classes: number): H;
  // arithmetic
  add(a: Operand, b: Operand): H;
  sub(a: Operand, b: Operand): H;
  mul(a: Operand, b: Operand): H;
  div(a: Operand, b: Operand): H;
  pow(a: Operand, b: Operand): H;
  maximum(a: Operand, b: Operand): H;
  minimum(a: Operand, b: Operand): H;
  remainder(a: Operand, b: Operand): H;
  eq(a: Operand, b: Operand): H;
  ne(a: Operand, b: Operand): H;
  lt(a: Operand, b: Operand): H;
  le(a: Operand, b: Operand): H;
  gt(a: Operand, b: Operand): H;
  ge(a: Operand, b: Operand): H;
  meanSquaredError(input: H, target: H): H;
  channelArgmax(map: H, out: Uint8Array): void;
  sumsByLabel(map: H, first: number, count: number, labels: Int32Array, largest: number): Float64Array;
  logicalAnd(a: Operand, b: Operand): H;
  logicalOr(a: Operand, b: Operand): H;
  add_(t: H, other: Operand, alpha?: number): void;
  mul_(t: H, other: Operand): void;
  neg(t: H): H;
  exp(t: H): H;
  log(t: H): H;
  sqrt(t: H): H;
  abs(t: H): H;
  floor(t: H): H;
  round(t: H): H;
  logicalNot(t: H): H;
  isFinite(t: H): H;
  clamp(t: H, min: number | null, max: number | null): H;
  where(cond: H, a: Operand, b: Operand): H;
  matmul(a: H, b: H): H;
  sum(t: H, dims?: Ints, keepdim?: boolean): H;
  mean(t: H, dims?: Ints, keepdim?: boolean): H;
  amax(t: H, dims?: Ints, keepdim?: boolean): H;
  amin(t: H, dims?: Ints, keepdim?: boolean): H;
  maxDim(t: H, dim: number, keepdim: boolean): [H, H];
  argmax(t: H, dim?: number, keepdim?: boolean): H;
  // shapes
  cat(ts: readonly H[], dim: number): H;
  stack(ts: readonly H[], dim: number): H;
  narrow(t: H, dim: number, start: number, length: number): H;
  slice(t: H, dim: number, start: number, end: number, step: number): H;
  select(t: H, dim: number, index: number): H;
  indexSelect(t: H, dim: number, index: H): H;
  gather(t: H, dim: number, index: H): H;
  reshape(t: H, shape: Ints): H;
  permute(t: H, dims: Ints): H;
  transpose(t: H, a: number, b: number): H;
  squeeze(t: H, dim: number): H;
  unsqueeze(t: H, dim: number): H;
  expand(t: H, shape: Ints): H;
  repeat(t: H, repeats: Ints): H;
  flip(t: H, dims: Ints): H;
  rot90(t: H, k: number, dims: Ints): H;
  contiguous(t: H, channelsLast: boolean): H;
  // autograd and autocast
  setRequiresGrad(t: H, value: boolean): void;
  requiresGrad(t: H): boolean;
  isLeaf(t: H): boolean;
  backward(t: H, gradient: H | null, retainGraph: boolean): void;
  grad(t: H): H | null;
  setGrad(t: H, grad: H | null): void;
  detach(t: H): H;
  isGradEnabled(): boolean;
  setGradEnabled(enabled: boolean): void;
  autocastEnter(deviceType: 'cpu' | 'cuda', dtype: DType): boolean;
  autocastExit(deviceType: 'cpu' | 'cuda', enabledBefore: boolean, dtypeBefore: DType): void;
  autocastDtype(deviceType: 'cpu' | 'cuda'): DType;
  // optimizers
  hasGrads(params: readonly H[]): boolean[];
  adamStep(params: readonly H[], expAvgs: readonly H[], expAvgSqs: readonly H[], steps: Ints, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean): void;
}

function addonPath(): string {
  const fromEnv = process.env.HISTONUC_NATIVE;
  if (fromEnv) return fromEnv;
  // dist/src/engine/native.js → <repo>/native/build/Release
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return resolve(repo, 'native', 'build', 'Release', 'histonuc_native.node');
}

function load(): NativeBinding {
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(`histonuc's native addon is not built (${path} is missing): run scripts/setup.sh`);
  }
  return createRequire(import.meta.url)(path) as NativeBinding;
}

export const native: NativeBinding = load();
