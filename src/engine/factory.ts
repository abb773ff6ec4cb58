// Creating tensors: from JS data, constants, ranges, random numbers; joining and selecting.
import { native, type DeviceName, type DType, type GeneratorHandle } from './native.js';
import { checkDevice } from './runtime.js';
import { elementSize, Tensor, type AnyTypedArray, type Operand } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  device?: DeviceName;
}

function device(options: TensorOptions): DeviceName {
  const name = options.device ?? 'cpu';
  checkDevice(name);
  return name;
}

function inferDtype(data: AnyTypedArray | readonly number[]): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) {
    throw new TypeError('a Uint16Array is ambiguous: pass dtype float16 or bfloat16 (raw 16-bit patterns)');
  }
  return 'float32';
}

function checkShape(shape: readonly number[]): void {
  for (const size of shape) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]: sizes must be integers ≥ 0`);
  }
}

/**
 * A tensor holding a copy of data with the given shape. The dtype defaults to the typed array's own
 * (float32 for plain number arrays); a typed array must match the dtype's element size.
 */
export function tensor(data: AnyTypedArray | readonly number[], shape: readonly number[] = [data.length], options: TensorOptions = {}): Tensor {
  checkShape(shape);
  const dtype = options.dtype ?? inferDtype(data);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new RangeError(`tensor(): ${data.length} values cannot fill shape [${shape.join(', ')}] (${count} elements)`);
  }
  let view: ArrayBufferView;
  if (Array.isArray(data)) {
    view = fromNumbers(data as readonly number[], dtype);
  } else {
    view = data as AnyTypedArray;
    if ((data as AnyTypedArray).BYTES_PER_ELEMENT !== elementSize(dtype)) {
      throw new TypeError(`tensor(): a ${data.constructor.name} cannot hold ${dtype} elements`);
    }
  }
  return new Tensor(native.fromBuffer(view, shape, dtype, device(options)));
}

function fromNumbers(values: readonly number[], dtype: DType): ArrayBufferView {
  switch (dtype) {
    case 'float32': return Float32Array.from(values);
    case 'float64': return Float64Array.from(values);
    case 'int32': return Int32Array.from(values);
    case 'int64': return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case 'uint8':
    case 'bool': return Uint8Array.from(values);
    default: throw new TypeError(`tensor(): numbers cannot be given directly as ${dtype}; create float32 and convert with .to('${dtype}')`);
  }
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  checkShape(shape);
  return new Tensor(native.zeros(shape, options.dtype ?? 'float32', device(options)));
}
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  checkShape(shape);
  return new Tensor(native.ones(shape, options.dtype ?? 'float32', device(options)));
}
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape);
  return new Tensor(native.full(shape, value, options.dtype ?? 'float32', device(options)));
}
/** Uninitialised memory: every element must be written before it is read. */
export function empty(shape: readonly number[], options: TensorOptions = {}): Tensor {
  checkShape(shape);
  return new Tensor(native.empty(shape, options.dtype ?? 'float32', device(options)));
}
export function arange(start: number, end: number, step = 1, options: TensorOptions = {}): Tensor {
  return new Tensor(native.arange(start, end, step, options.dtype ?? 'int64', device(options)));
}
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  return new Tensor(native.linspace(start, end, steps, options.dtype ?? 'float32', device(options)));
}

// ---- random numbers ----

/** A random-number generator with its own seed and state (CPU). */
export class Generator {
  readonly handle: GeneratorHandle;
  constructor(seed: number) {
    this.handle = native.createGenerator(seed);
  }
  /** The full state, to be saved with a checkpoint and restored with setState. */
  getState(): Uint8Array {
    const state = new Tensor(native.getRngState(this.handle));
    try {
      return state.toTypedArray() as Uint8Array;
    } finally {
      state.dispose();
    }
  }
  setState(state: Uint8Array): void {
    const t = tensor(state, [state.length], { dtype: 'uint8' });
    try {
      native.setRngState(t.handle, this.handle);
    } finally {
      t.dispose();
    }
  }
}

/** Seeds libtorch's default generators (weight initialisation, dropout). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}

/** The default CPU generator's state, and its restoration (for exact resumption of training). */
export function getDefaultRngState(): Uint8Array {
  const state = new Tensor(native.getRngState(null));
  try {
    return state.toTypedArray() as Uint8Array;
  } finally {
    state.dispose();
  }
}
export function setDefaultRngState(state: Uint8Array): void {
  const t = tensor(state, [state.length], { dtype: 'uint8' });
  try {
    native.setRngState(t.handle, null);
  } finally {
    t.dispose();
  }
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** Uniform in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape(shape);
  return new Tensor(native.rand(shape, options.dtype ?? 'float32', device(options), options.generator?.handle ?? null));
}
/** Standard normal. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape(shape);
  return new Tensor(native.randn(shape, options.dtype ?? 'float32', device(options), options.generator?.handle ?? null));
}
/** Integers in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape(shape);
  return new Tensor(native.randint(low, high, shape, options.dtype ?? 'int64', device(options), options.generator?.handle ?? null));
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, generator?: Generator): Tensor {
  return new Tensor(native.randperm(n, generator?.handle ?? null));
}

// ---- combining ----
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('cat() needs at least one tensor');
  return new Tensor(native.cat(tensors.map((t) => t.handle), dim));
}
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack() needs at least one tensor');
  return new Tensor(native.stack(tensors.map((t) => t.handle), dim));
}
/** Element-wise condition ? a : b. */
export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  return new Tensor(native.where(condition.handle, typeof a === 'number' ? a : a.handle, typeof b === 'number' ? b : b.handle));
}
