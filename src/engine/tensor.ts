// The Tensor class: one libtorch tensor seen from TypeScript. Methods mirror PyTorch's names (in
// camelCase) and semantics: broadcasting, type promotion, views, autograd.
import { native, type DeviceName, type DType, type GeneratorHandle, type TensorHandle } from './native.js';
import { checkDevice } from './runtime.js';
import { owningScope, track, type Disposable } from './scope.js';

export type { DeviceName, DType } from './native.js';

export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int32'
      ? Int32Array
      : D extends 'int64'
        ? BigInt64Array
        : D extends 'uint8' | 'bool'
          ? Uint8Array
          : Uint16Array; // float16 and bfloat16: raw 16-bit patterns

export type AnyTypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array;

/** A tensor or a plain number (numbers take part in type promotion as PyTorch's Python scalars do). */
export type Operand = Tensor | number;

const bytesPerElement: Record<DType, number> = {
  float32: 4, float64: 8, int32: 4, int64: 8, uint8: 1, bool: 1, float16: 2, bfloat16: 2,
};

export function elementSize(dtype: DType): number {
  return bytesPerElement[dtype];
}

function viewAs(buffer: ArrayBuffer, dtype: DType): AnyTypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
    case 'uint8':
    case 'bool': return new Uint8Array(buffer);
    case 'float16':
    case 'bfloat16': return new Uint16Array(buffer);
  }
}

function operand(value: Operand): TensorHandle | number {
  return typeof value === 'number' ? value : value.handle;
}

function normalizeDim(dim: number, ndim: number): number {
  return dim < 0 ? dim + ndim : dim;
}

// Frees the native tensors of Tensors the garbage collector found unreachable. Only tensors in no open
// scope are registered (see unscoped()): a scope frees its own, without waiting for the collector.
const collector = new FinalizationRegistry<TensorHandle>((handle) => native.dispose(handle));

export class Tensor {
  #handle: TensorHandle | null;
  #shape: readonly number[] | null = null;
  #dtype: DType | null = null;
  /** Whether the collector holds #handle for this tensor (so dispose() must unregister it). */
  #collectable = false;
  /** The open scope that will dispose this tensor, if any (see scope.ts). */
  [owningScope]: Disposable[] | null = null;

  /** Wraps a native handle; engine code only. The tensor joins the innermost open scope. */
  constructor(handle: TensorHandle) {
    this.#handle = handle;
    track(this);
  }

  /** The native handle. Throws if the tensor was disposed. */
  get handle(): TensorHandle {
    if (this.#handle === null) throw new Error('this tensor was disposed and can no longer be used');
    return this.#handle;
  }

  get isDisposed(): boolean {
    return this.#handle === null;
  }

  /** Frees this reference to the native tensor now (views and gradients of it stay valid). */
  dispose(): void {
    if (this.#handle === null) return;
    native.dispose(this.#handle);
    this.#release();
  }

  /** Called by the scope machinery when this tensor belongs to no open scope: the collector may free it. */
  unscoped(): void {
    if (this.#handle === null || this.#collectable) return;
    collector.register(this, this.#handle, this);
    this.#collectable = true;
  }

  /** Forgets the handle (disposed, or moved to another Tensor) and withdraws it from the collector. */
  #release(): void {
    this.#handle = null;
    this.#shape = null;
    this.#dtype = null;
    if (this.#collectable) {
      collector.unregister(this);
      this.#collectable = false;
    }
  }

  /**
   * Makes this tensor refer to source's data (as PyTorch's `param.data = source`), so that modules and
   * optimizers holding this object see the new values; source is consumed.
   */
  setData(source: Tensor): void {
    const requiresGrad = this.requiresGrad;
    const handle = source.handle;
    source.#release();
    native.dispose(this.handle);
    const collectable = this.#collectable;
    this.#release();
    this.#handle = handle;
    if (collectable) this.unscoped();
    if (native.requiresGrad(handle) !== requiresGrad) native.setRequiresGrad(handle, requiresGrad);
  }

  // ---- metadata ----
  get shape(): readonly number[] {
    this.#shape ??= Object.freeze(native.shape(this.handle));
    return this.#shape;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get dtype(): DType {
    this.#dtype ??= native.dtype(this.handle);
    return this.#dtype;
  }
  get device(): DeviceName {
    return native.device(this.handle);
  }
  size(dim: number): number {
    const d = normalizeDim(dim, this.ndim);
    if (d < 0 || d >= this.ndim) throw new RangeError(`dimension ${dim} is out of range for a ${this.ndim}-d tensor`);
    return this.shape[d]!;
  }
  isContiguous(channelsLast = false): boolean {
    return native.isContiguous(this.handle, channelsLast);
  }
  toString(): string {
    return this.isDisposed ? 'Tensor(disposed)' : `Tensor([${this.shape.join(', ')}], ${this.dtype}, ${this.device})`;
  }

  // ---- data out ----
  /** A copy of the elements in row-major order, in the tensor's own dtype. */
  toTypedArray(): AnyTypedArray {
    return viewAs(native.toBuffer(this.handle), this.dtype);
  }
  /** A copy of the elements converted to float32. */
  toFloat32Array(): Float32Array {
    if (this.dtype === 'float32') return new Float32Array(native.toBuffer(this.handle));
    const converted = native.toDtype(this.handle, 'float32');
    try {
      return new Float32Array(native.toBuffer(converted));
    } finally {
      native.dispose(converted);
    }
  }
  /** The value of a one-element tensor. */
  item(): number {
    return native.item(this.handle);
  }

  // ---- conversions and copies ----
  to(target: DType | DeviceName): Tensor {
    if (target === 'cpu' || target.startsWith('cuda')) {
      checkDevice(target as DeviceName);
      return new Tensor(native.toDevice(this.handle, target as DeviceName));
    }
    return new Tensor(native.toDtype(this.handle, target as DType));
  }
  clone(): Tensor {
    return new Tensor(native.clone(this.handle));
  }
  /** A dense copy in row-major (or channels-last) layout; the same storage if it already is. */
  contiguous(channelsLast = false): Tensor {
    return new Tensor(native.contiguous(this.handle, channelsLast));
  }
  copy_(source: Tensor): this {
    native.copy_(this.handle, source.handle);
    return this;
  }
  fill_(value: number): this {
    native.fill_(this.handle, value);
    return this;
  }
  zero_(): this {
    native.zero_(this.handle);
    return this;
  }
  /** Fills with U(low, high) draws from the given or the default generator. */
  uniformInPlace(low: number, high: number, generator: GeneratorHandle | null = null): this {
    native.uniform_(this.handle, low, high, generator);
    return this;
  }
  /** Fills with N(mean, std²) draws from the given or the default generator. */
  normalInPlace(mean: number, std: number, generator: GeneratorHandle | null = null): this {
    native.normal_(this.handle, mean, std, generator);
    return this;
  }
  add_(other: Operand, alpha = 1): this {
    native.add_(this.handle, operand(other), alpha);
    return this;
  }
  mul_(other: Operand): this {
    native.mul_(this.handle, operand(other));
    return this;
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle);
  }
  requiresGrad_(value = true): this {
    native.setRequiresGrad(this.handle, value);
    return this;
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }
  /** The accumulated gradient (a new reference to it), or null. */
  get grad(): Tensor | null {
    const grad = native.grad(this.handle);
    return grad === null ? null : new Tensor(grad);
  }
  set grad(value: Tensor | null) {
    native.setGrad(this.handle, value === null ? null : value.handle);
  }
  backward(gradient: Tensor | null = null, retainGraph = false): void {
    native.backward(this.handle, gradient === null ? null : gradient.handle, retainGraph);
  }
  detach(): Tensor {
    return new Tensor(native.detach(this.handle));
  }

  // ---- arithmetic (broadcasting) ----
  add(other: Operand): Tensor { return new Tensor(native.add(this.handle, operand(other))); }
  sub(other: Operand): Tensor { return new Tensor(native.sub(this.handle, operand(other))); }
  mul(other: Operand): Tensor { return new Tensor(native.mul(this.handle, operand(other))); }
  div(other: Operand): Tensor { return new Tensor(native.div(this.handle, operand(other))); }
  pow(other: Operand): Tensor { return new Tensor(native.pow(this.handle, operand(other))); }
  remainder(other: Operand): Tensor { return new Tensor(native.remainder(this.handle, operand(other))); }
  maximum(other: Operand): Tensor { return new Tensor(native.maximum(this.handle, operand(other))); }
  minimum(other: Operand): Tensor { return new Tensor(native.minimum(this.handle, operand(other))); }
  eq(other: Operand): Tensor { return new Tensor(native.eq(this.handle, operand(other))); }
  ne(other: Operand): Tensor { return new Tensor(native.ne(this.handle, operand(other))); }
  lt(other: Operand): Tensor { return new Tensor(native.lt(this.handle, operand(other))); }
  le(other: Operand): Tensor { return new Tensor(native.le(this.handle, operand(other))); }
  gt(other: Operand): Tensor { return new Tensor(native.gt(this.handle, operand(other))); }
  ge(other: Operand): Tensor { return new Tensor(native.ge(this.handle, operand(other))); }
  logicalAnd(other: Operand): Tensor { return new Tensor(native.logicalAnd(this.handle, operand(other))); }
  logicalOr(other: Operand): Tensor { return new Tensor(native.logicalOr(this.handle, operand(other))); }
  logicalNot(): Tensor { return new Tensor(native.logicalNot(this.handle)); }
  neg(): Tensor { return new Tensor(native.neg(this.handle)); }
  exp(): Tensor { return new Tensor(native.exp(this.handle)); }
  log(): Tensor { return new Tensor(native.log(this.handle)); }
  sqrt(): Tensor { return new Tensor(native.sqrt(this.handle)); }
  abs(): Tensor { return new Tensor(native.abs(this.handle)); }
  floor(): Tensor { return new Tensor(native.floor(this.handle)); }
  round(): Tensor { return new Tensor(native.round(this.handle)); }
  isFinite(): Tensor { return new Tensor(native.isFinite(this.handle)); }
  relu(): Tensor { return new Tensor(native.relu(this.handle)); }
  sigmoid(): Tensor { return new Tensor(native.sigmoid(this.handle)); }
  tanh(): Tensor { return new Tensor(native.tanh(this.handle)); }
  clamp(min: number | null, max: number | null = null): Tensor {
    return new Tensor(native.clamp(this.handle, min, max));
  }
  matmul(other: Tensor): Tensor { return new Tensor(native.matmul(this.handle, other.handle)); }
  softmax(dim: number): Tensor { return new Tensor(native.softmax(this.handle, dim)); }
  logSoftmax(dim: number): Tensor { return new Tensor(native.logSoftmax(this.handle, dim)); }

  // ---- reductions: over all elements when dims is omitted ----
  sum(dims?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(dims === undefined ? native.sum(this.handle) : native.sum(this.handle, [dims].flat(), keepdim));
  }
  mean(dims?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(dims === undefined ? native.mean(this.handle) : native.mean(this.handle, [dims].flat(), keepdim));
  }
  amax(dims?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(dims === undefined ? native.amax(this.handle) : native.amax(this.handle, [dims].flat(), keepdim));
  }
  amin(dims?: number | readonly number[], keepdim = false): Tensor {
    return new Tensor(dims === undefined ? native.amin(this.handle) : native.amin(this.handle, [dims].flat(), keepdim));
  }
  /** Maximum along one dimension: values and their indices. */
  maxDim(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.maxDim(this.handle, dim, keepdim);
    return { values: new Tensor(values), indices: new Tensor(indices) };
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return new Tensor(dim === undefined ? native.argmax(this.handle) : native.argmax(this.handle, dim, keepdim));
  }

  // ---- shapes and indexing ----
  reshape(...shape: number[]): Tensor { return new Tensor(native.reshape(this.handle, shape)); }
  permute(...dims: number[]): Tensor { return new Tensor(native.permute(this.handle, dims)); }
  transpose(a: number, b: number): Tensor { return new Tensor(native.transpose(this.handle, a, b)); }
  squeeze(dim: number): Tensor { return new Tensor(native.squeeze(this.handle, dim)); }
  unsqueeze(dim: number): Tensor { return new Tensor(native.unsqueeze(this.handle, dim)); }
  expand(...shape: number[]): Tensor { return new Tensor(native.expand(this.handle, shape)); }
  repeat(...repeats: number[]): Tensor { return new Tensor(native.repeat(this.handle, repeats)); }
  flip(...dims: number[]): Tensor { return new Tensor(native.flip(this.handle, dims)); }
  /** Rotates by k·90° counter-clockwise in the plane of dims (default: the last two), as torch.rot90. */
  rot90(k = 1, dims: [number, number] = [-2, -1]): Tensor { return new Tensor(native.rot90(this.handle, k, dims)); }
  /** A view of length elements along dim starting at start. */
  narrow(dim: number, start: number, length: number): Tensor {
    return new Tensor(native.narrow(this.handle, dim, start, length));
  }
  /** A view of [start, end) along dim, every step-th element. */
  slice(dim: number, start: number, end: number, step = 1): Tensor {
    return new Tensor(native.slice(this.handle, dim, start, end, step));
  }
  /** The view at index along dim, with that dimension removed. */
  select(dim: number, index: number): Tensor { return new Tensor(native.select(this.handle, dim, index)); }
  indexSelect(dim: number, index: Tensor): Tensor { return new Tensor(native.indexSelect(this.handle, dim, index.handle)); }
  gather(dim: number, index: Tensor): Tensor { return new Tensor(native.gather(this.handle, dim, index.handle)); }
}
