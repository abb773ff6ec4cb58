// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__: {string: string}}, then
// the raw little-endian tensor data. histonuc's checkpoints use it.
import { readFileSync } from 'node:fs';

import { writeFileAtomic } from '../../util/atomic-file.js';
import { tensor } from '../factory.js';
import { elementSize, type DType, type Tensor } from '../tensor.js';

const codes: Record<DType, string> = {
  float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64', int64: 'I64', int32: 'I32', uint8: 'U8', bool: 'BOOL',
};
const dtypesByCode = new Map(Object.entries(codes).map(([dtype, code]) => [code, dtype as DType]));

export interface SafetensorsContent {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Writes tensors (moved to the CPU, made contiguous) and string metadata to path, atomically. */
export function writeSafetensors(path: string, tensors: Iterable<[string, Tensor]>, metadata: Record<string, string> = {}): void {
  const entries = [...tensors];
  const header: Record<string, HeaderEntry | Record<string, string>> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__' || name in header) throw new Error(`writeSafetensors(${path}): duplicate or reserved name '${name}'`);
    const bytes = t.numel * elementSize(t.dtype);
    header[name] = { dtype: codes[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileAtomic(path, (write) => {
    write(length);
    write(json);
    for (const [, t] of entries) {
      const data = t.toTypedArray();
      write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  });
}

/** Reads every tensor of a safetensors file onto the CPU; errors name the file and the problem. */
export function readSafetensors(path: string): SafetensorsContent {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read '${path}': ${(error as Error).message}`);
  }
  const fail = (problem: string): never => {
    throw new Error(`'${path}' is not a valid safetensors file: ${problem}`);
  };
  if (file.length < 8) fail(`it is only ${file.length} bytes long`);
  const headerLength = Number(file.readBigUInt64LE(0));
  if (headerLength > file.length - 8) fail(`the header claims ${headerLength} bytes but the file has ${file.length - 8} after the length`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  } catch {
    return fail('the header is not valid JSON (truncated or a different format)');
  }
  const dataStart = 8 + headerLength;
  const dataLength = file.length - dataStart;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = value as Record<string, string>;
      continue;
    }
    const entry = value as Partial<HeaderEntry>;
    const dtype = dtypesByCode.get(String(entry.dtype));
    if (dtype === undefined) fail(`tensor '${name}' has unsupported dtype ${String(entry.dtype)}`);
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) fail(`tensor '${name}' lacks shape or data_offsets`);
    const [begin, end] = offsets as [number, number];
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * elementSize(dtype as DType);
    if (!(begin >= 0 && end <= dataLength && end - begin === expected)) {
      fail(`tensor '${name}' has data_offsets [${begin}, ${end}] inconsistent with its shape [${(shape as number[]).join(', ')}] or the file size`);
    }
    tensors.set(name, fromBytes(file, dataStart + begin, expected, shape as number[], dtype as DType));
  }
  return { tensors, metadata };
}

function fromBytes(file: Buffer, start: number, length: number, shape: number[], dtype: DType): Tensor {
  // Copy into a fresh, aligned buffer: typed-array views need offsets that are multiples of the element size.
  const bytes = new Uint8Array(length);
  bytes.set(file.subarray(start, start + length));
  const size = elementSize(dtype);
  const view =
    dtype === 'float32' ? new Float32Array(bytes.buffer)
    : dtype === 'float64' ? new Float64Array(bytes.buffer)
    : dtype === 'int32' ? new Int32Array(bytes.buffer)
    : dtype === 'int64' ? new BigInt64Array(bytes.buffer)
    : size === 2 ? new Uint16Array(bytes.buffer)
    : bytes;
  return tensor(view, shape, { dtype });
}
