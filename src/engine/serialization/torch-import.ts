// Import of PyTorch state dicts (.pth/.pt files written by torch.save in its zip format, PyTorch ≥ 1.6,
// which torchvision and most tools publish), read by a pickle VM that knows only the globals a state
// dict uses; and of safetensors files from other tools.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

import { arange } from '../factory.js';
import { native } from '../native.js';
import { scope } from '../scope.js';
import { elementSize, Tensor, type DType } from '../tensor.js';
import { PyGlobal, unpickle, type PickleDict, type PickleValue, type UnpickleHooks } from './pickle.js';
import { readSafetensors } from './safetensors.js';
import { ZipFile } from './zip.js';

const storageDtypes = new Map<string, DType>([
  ['torch.FloatStorage', 'float32'],
  ['torch.DoubleStorage', 'float64'],
  ['torch.HalfStorage', 'float16'],
  ['torch.BFloat16Storage', 'bfloat16'],
  ['torch.LongStorage', 'int64'],
  ['torch.IntStorage', 'int32'],
  ['torch.ByteStorage', 'uint8'],
  ['torch.BoolStorage', 'bool'],
  // Untyped storages (the names differ between PyTorch versions) hold bytes.
  ['torch._UntypedStorage', 'uint8'],
  ['torch.UntypedStorage', 'uint8'],
  ['torch.storage._UntypedStorage', 'uint8'],
]);
const callables = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'torch.device']);

/** A storage named by a persistent id: the bytes of archive entry data/<key>. */
class Storage {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
  ) {}
}

/** A tensor as _rebuild_tensor_v2 describes it: a strided view of a storage. */
class TensorRef {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

type Value = PickleValue<Storage | TensorRef>;

const hooks: UnpickleHooks<Storage | TensorRef> = {
  allows: (global) => callables.has(String(global)) || storageDtypes.has(String(global)),
  call(callable, args) {
    switch (callable instanceof PyGlobal ? String(callable) : '') {
      case 'collections.OrderedDict': return new Map(); // protocol 2 adds the items with SETITEMS
      case 'torch._utils._rebuild_tensor_v2': return rebuildTensor(args);
      case 'torch._utils._rebuild_parameter': return args[0]; // (tensor, requires_grad, backward hooks)
      case 'torch.device': return args.join(':');
      default: throw new Error(`it calls ${String(callable)}, which a state dict does not`);
    }
  },
  // torch.save's persistent ids: ('storage', storage type, key, location, numel).
  persistentLoad(id) {
    const [kind, type, key, , numel] = Array.isArray(id) ? id : [];
    const dtype = type instanceof PyGlobal ? storageDtypes.get(String(type)) : undefined;
    if (kind !== 'storage' || dtype === undefined || typeof key !== 'string' || !isCount(numel)) {
      throw new Error('it has a persistent id that is not a tensor storage');
    }
    return new Storage(key, dtype, numel);
  },
};

/**
 * Reads a state dict (name → tensor) from a .pth/.pt or .safetensors file. In a .pth file, entries
 * that are not tensors (e.g. numbers, lists) are skipped, and dicts nested in the top-level dict are
 * flattened with dotted names: {model: {conv.weight: t}} gives 'model.conv.weight'.
 */
export function loadStateDictFile(path: string): Map<string, Tensor> {
  if (!existsSync(path)) throw new Error(`weights file '${path}' does not exist`);
  if (path.endsWith('.safetensors')) return readSafetensors(path).tensors;
  try {
    return readTorchSave(path);
  } catch (error) {
    throw new Error(`'${path}' cannot be read as a PyTorch state dict (a dict of float32, float64, float16, bfloat16, int64, int32, uint8 or bool tensors): ${(error as Error).message}`);
  }
}

function readTorchSave(path: string): Map<string, Tensor> {
  let zip: ZipFile;
  try {
    zip = ZipFile.open(path);
  } catch (error) {
    if (!startsWithPickle(path)) throw error;
    throw new Error("it was saved in PyTorch's legacy format (before 1.6, or with _use_new_zipfile_serialization=False); re-save it with torch.save from PyTorch ≥ 1.6");
  }
  try {
    const pickle = [...zip.names].find((name) => name.endsWith('/data.pkl'));
    if (pickle === undefined) throw new Error('its archive has no data.pkl (it was not written by torch.save)');
    // The folder name inside the archive varies: it is the file's name when it was saved.
    const prefix = pickle.slice(0, -'data.pkl'.length);
    if (zip.has(`${prefix}byteorder`) && Buffer.from(zip.read(`${prefix}byteorder`)).toString() !== 'little') throw new Error('its tensors are big-endian');
    const root = unpickle(zip.read(pickle), hooks);
    if (!(root instanceof Map)) throw new Error(`it holds ${root instanceof TensorRef ? 'a single tensor' : 'something other than a dict'}`);
    const refs = new Map<string, TensorRef>();
    collectTensors(root, '', refs);
    // A failure half-way disposes the tensors made so far.
    return scope(() => new Map([...refs].map(([name, ref]) => [name, toTensor(name, ref, zip.readTransient(`${prefix}data/${ref.storage.key}`))])));
  } finally {
    zip.close();
  }
}

/** Whether the file starts with a pickle's PROTO opcode, as the legacy (non-zip) format does. */
function startsWithPickle(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(1);
    return readSync(fd, head, 0, 1, 0) === 1 && head[0] === 0x80;
  } finally {
    closeSync(fd);
  }
}

function isCount(value: Value | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function rebuildTensor([storage, offset, size, stride]: Value[]): TensorRef {
  const isCounts = (value: Value): value is number[] => Array.isArray(value) && value.every(isCount);
  if (!(storage instanceof Storage) || !isCount(offset) || !isCounts(size) || !isCounts(stride) || size.length !== stride.length) {
    throw new Error('it rebuilds a tensor from arguments other than (storage, offset, size, stride)');
  }
  return new TensorRef(storage, offset, size, stride);
}

function collectTensors(dict: PickleDict<Storage | TensorRef>, prefix: string, into: Map<string, TensorRef>): void {
  for (const [key, value] of dict) {
    if (typeof key !== 'string' && typeof key !== 'number') continue;
    const name = prefix + String(key);
    if (value instanceof Map) collectTensors(value, `${name}.`, into);
    if (!(value instanceof TensorRef)) continue;
    if (into.has(name)) throw new Error(`it has two tensors named '${name}' once nested dicts are flattened`);
    into.set(name, value);
  }
}

/** The tensor ref describes, from its storage's bytes (little-endian, as torch writes them). */
function toTensor(name: string, { storage, offset, size, stride }: TensorRef, bytes: Uint8Array): Tensor {
  const { dtype, numel: storageNumel } = storage;
  const itemSize = elementSize(dtype);
  if (bytes.length < storageNumel * itemSize) {
    throw new Error(`the storage of '${name}' has ${bytes.length} bytes, not the ${storageNumel * itemSize} of ${storageNumel} ${dtype} elements`);
  }
  const numel = size.reduce((a, b) => a * b, 1);
  const last = size.reduce((sum, n, d) => sum + (n - 1) * stride[d], offset);
  if (numel > 0 && last >= storageNumel) throw new Error(`tensor '${name}' reaches past the end of its storage`);
  const fromBytes = (start: number, count: number, shape: readonly number[]): Tensor =>
    new Tensor(native.fromBuffer(bytes.subarray(start * itemSize, (start + count) * itemSize), shape, dtype, 'cpu'));
  if (numel === 0 || isContiguous(size, stride)) return fromBytes(offset, numel, size);
  // A strided view (e.g. a transposed tensor saved as it is): gather element offset + Σ index_d · stride_d
  // of the whole storage.
  return scope(() => {
    const index = size.reduce((sum, n, d) => sum.unsqueeze(-1).add(arange(0, n).mul(stride[d])), arange(offset, offset + 1));
    return fromBytes(0, storageNumel, [storageNumel]).indexSelect(0, index.reshape(-1)).reshape(...size);
  });
}

/** Row-major contiguity; the stride of a dimension of size 1 does not matter. */
function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d];
  }
  return true;
}

/**
 * Renames the entries of a state dict: each rule maps a source prefix to a target prefix (the first
 * matching rule wins); entries no rule matches are dropped when dropUnmatched, else kept as they are.
 */
export function mapKeys(
  state: ReadonlyMap<string, Tensor>,
  rules: readonly [from: string, to: string][],
  dropUnmatched = false,
): Map<string, Tensor> {
  const result = new Map<string, Tensor>();
  for (const [name, value] of state) {
    const rule = rules.find(([from]) => name.startsWith(from));
    if (rule !== undefined) result.set(rule[1] + name.slice(rule[0].length), value);
    else if (!dropUnmatched) result.set(name, value);
  }
  return result;
}
