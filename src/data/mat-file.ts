// A reader for MATLAB level-5 MAT-files (the format of scipy.io.savemat and of MATLAB up to v7),
// limited to what nucleus datasets such as CoNSeP store: numeric and logical matrices, real,
// little-endian, optionally zlib-compressed. Values stay in MATLAB's column-major order.
// Variables of other kinds (cells, structs, sparse, char, complex, 64-bit) are listed but refuse
// to be read, with an error naming the file and the variable; v7.3 (HDF5) files are refused whole.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export type MatArray = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface MatMatrix {
  name: string;
  /** MATLAB's class: 'double', 'single', 'int8' … 'uint32', or 'logical'. */
  className: string;
  /** MATLAB dimensions, at least two: [rows, columns, …]. */
  dims: number[];
  /** The values in column-major order: element (r, c) of a 2-D matrix is data[c·rows + r]. */
  data: MatArray;
}

/** A MAT-file that cannot be read, or a variable in it that cannot; the message names both. */
export class MatFileError extends Error {
  constructor(
    readonly path: string,
    readonly variable: string | undefined,
    problem: string,
  ) {
    super(`${path}: ${variable === undefined ? '' : `variable "${variable}": `}${problem}`);
    this.name = 'MatFileError';
  }
}

export interface MatFile {
  path: string;
  /** The variables in file order, readable or not. */
  names: string[];
  has(name: string): boolean;
  /** The named matrix; throws MatFileError when it is absent or of an unsupported kind. */
  matrix(name: string): MatMatrix;
}

// Data element types (the tag's first word) and array classes (the array flags' low byte).
const MI_INT8 = 1;
const MI_UINT32 = 6;
const MI_INT32 = 5;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;

type ArrayConstructor = new (length: number) => MatArray;

/** Storage types of numeric data: constructor and bytes per value. */
const STORAGE: Record<number, { type: ArrayConstructor; bytes: number; name: string }> = {
  1: { type: Int8Array, bytes: 1, name: 'int8' },
  2: { type: Uint8Array, bytes: 1, name: 'uint8' },
  3: { type: Int16Array, bytes: 2, name: 'int16' },
  4: { type: Uint16Array, bytes: 2, name: 'uint16' },
  5: { type: Int32Array, bytes: 4, name: 'int32' },
  6: { type: Uint32Array, bytes: 4, name: 'uint32' },
  7: { type: Float32Array, bytes: 4, name: 'single' },
  9: { type: Float64Array, bytes: 8, name: 'double' },
};

/** Numeric classes read, and the array each is returned in. */
const NUMERIC_CLASSES: Record<number, { name: string; type: ArrayConstructor }> = {
  6: { name: 'double', type: Float64Array },
  7: { name: 'single', type: Float32Array },
  8: { name: 'int8', type: Int8Array },
  9: { name: 'uint8', type: Uint8Array },
  10: { name: 'int16', type: Int16Array },
  11: { name: 'uint16', type: Uint16Array },
  12: { name: 'int32', type: Int32Array },
  13: { name: 'uint32', type: Uint32Array },
};

const UNSUPPORTED_CLASSES: Record<number, string> = {
  1: 'a cell array', 2: 'a struct', 3: 'an object', 4: 'a char array', 5: 'a sparse matrix',
  14: 'an int64 matrix', 15: 'a uint64 matrix', 16: 'a function handle', 17: 'an opaque object',
};

const HEADER_BYTES = 128;

/** Reads a MAT-file's variables (decoding happens here; `matrix` only hands them out). */
export function readMatFile(path: string): MatFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new MatFileError(path, undefined, `cannot read the file (${error instanceof Error ? error.message : String(error)})`);
  }
  checkHeader(path, bytes);
  const variables = new Map<string, MatMatrix | string>();
  const names: string[] = [];
  forEachElement(path, bytes, HEADER_BYTES, (type, body, index) => {
    for (const [name, variable] of readVariable(path, type, body, index)) {
      names.push(name);
      variables.set(name, variable);
    }
  });
  return {
    path,
    names,
    has: (name) => variables.has(name),
    matrix(name) {
      const variable = variables.get(name);
      if (variable === undefined) {
        throw new MatFileError(path, name, `not in the file (it holds ${names.length === 0 ? 'no variables' : names.join(', ')})`);
      }
      if (typeof variable === 'string') throw new MatFileError(path, name, variable);
      return variable;
    },
  };
}

/** The element (r, c) of a 2-D matrix. */
export function matrixAt(matrix: MatMatrix, row: number, column: number): number {
  return matrix.data[column * matrix.dims[0] + row];
}

/** A 2-D matrix as an image: rows → height, columns → width, values in row-major order. */
export function matrixAsImage(matrix: MatMatrix, path: string): { width: number; height: number; data: MatArray } {
  if (matrix.dims.length !== 2) throw new MatFileError(path, matrix.name, `a ${matrix.dims.join('×')} array, not a 2-D matrix`);
  const [height, width] = matrix.dims;
  const data = new (matrix.data.constructor as ArrayConstructor)(width * height);
  for (let x = 0; x < width; x++) {
    const column = x * height;
    for (let y = 0; y < height; y++) data[y * width + x] = matrix.data[column + y];
  }
  return { width, height, data };
}

function checkHeader(path: string, bytes: Buffer): void {
  if (bytes.length < HEADER_BYTES) throw new MatFileError(path, undefined, `not a MAT-file: only ${bytes.length} bytes, shorter than the 128-byte header`);
  const text = bytes.toString('latin1', 0, 116);
  const version = bytes.readUInt16LE(124);
  const endian = bytes.toString('latin1', 126, 128);
  if (text.startsWith('MATLAB 7.3') || version === 0x0200) {
    throw new MatFileError(path, undefined, 'a MATLAB v7.3 (HDF5) file, which is not read; save it as v7 or older (MATLAB save -v7, or scipy.io.savemat)');
  }
  if (endian === 'MI') throw new MatFileError(path, undefined, 'a big-endian MAT-file, which is not read; only little-endian files are');
  if (endian !== 'IM' || !text.startsWith('MATLAB')) {
    throw new MatFileError(path, undefined, 'not a MATLAB v5/v7 MAT-file (no "MATLAB" header text and endian mark)');
  }
}

/**
 * Visits the data elements of `bytes` from `start`, each with its type and contents. Both the
 * normal 8-byte tag and the small format (type and size in one word, up to 4 bytes of data in the
 * second) are read; elements other than compressed ones are padded to 8 bytes.
 */
function forEachElement(path: string, bytes: Buffer, start: number, visit: (type: number, body: Buffer, index: number) => void): void {
  let offset = start;
  for (let index = 0; offset < bytes.length; index++) {
    if (offset + 8 > bytes.length) throw truncated(path, offset);
    const word = bytes.readUInt32LE(offset);
    const small = word >>> 16;
    if (small !== 0) {
      if (small > 4) throw new MatFileError(path, undefined, `corrupt data element at byte ${offset} (small element of ${small} bytes)`);
      visit(word & 0xffff, bytes.subarray(offset + 4, offset + 4 + small), index);
      offset += 8;
      continue;
    }
    const size = bytes.readUInt32LE(offset + 4);
    const end = offset + 8 + size;
    if (end > bytes.length) throw truncated(path, offset);
    visit(word, bytes.subarray(offset + 8, end), index);
    offset = word === MI_COMPRESSED ? end : offset + 8 + Math.ceil(size / 8) * 8;
  }
}

function truncated(path: string, offset: number): MatFileError {
  return new MatFileError(path, undefined, `truncated: a data element at byte ${offset} runs past the end of the file`);
}

/** The variables of one top-level element: a matrix, or a compressed run of elements. */
function readVariable(path: string, type: number, body: Buffer, index: number): [string, MatMatrix | string][] {
  if (type === MI_COMPRESSED) {
    let inflated: Buffer;
    try {
      inflated = inflateSync(body);
    } catch (error) {
      throw new MatFileError(path, undefined, `corrupt compressed data in element ${index + 1} (${error instanceof Error ? error.message : String(error)})`);
    }
    const variables: [string, MatMatrix | string][] = [];
    forEachElement(path, inflated, 0, (innerType, innerBody) => variables.push(...readVariable(path, innerType, innerBody, index)));
    return variables;
  }
  if (type !== MI_MATRIX) throw new MatFileError(path, undefined, `element ${index + 1} is of data type ${type}, not a matrix; the file is corrupt or not a MAT-file`);
  return [readMatrix(path, body, index)];
}

/** A matrix element: array flags, dimensions, name, real part (and imaginary part if complex). */
function readMatrix(path: string, body: Buffer, index: number): [string, MatMatrix | string] {
  const parts: { type: number; body: Buffer }[] = [];
  forEachElement(path, body, 0, (type, part) => parts.push({ type, body: part }));
  const [flags, dimensions, nameElement, real] = parts;
  if (!flags || !dimensions || !nameElement || flags.type !== MI_UINT32 || dimensions.type !== MI_INT32 || nameElement.type !== MI_INT8) {
    throw new MatFileError(path, undefined, `element ${index + 1}: corrupt matrix header (array flags, dimensions, name)`);
  }
  const name = nameElement.body.toString('latin1');
  const classCode = flags.body[0];
  const flagBits = flags.body[1];
  const dims = Array.from(copyAs(dimensions.body, Int32Array, 4));
  const count = dims.reduce((product, n) => product * n, 1);

  const unsupported = UNSUPPORTED_CLASSES[classCode];
  if (unsupported) return [name, `${unsupported}, which is not read (numeric and logical matrices are)`];
  const numeric = NUMERIC_CLASSES[classCode];
  if (!numeric) return [name, `unknown array class ${classCode}`];
  if (flagBits & 0x08) return [name, `a complex ${numeric.name} matrix, which is not read (real matrices are)`];
  if (!real) throw new MatFileError(path, name, 'corrupt: the matrix has no data');
  const storage = STORAGE[real.type];
  if (!storage) return [name, `values stored as data type ${real.type}, which is not read (8- to 32-bit integers, single, double are)`];
  if (real.body.length !== count * storage.bytes) {
    throw new MatFileError(path, name, `corrupt: ${dims.join('×')} ${storage.name} values need ${count * storage.bytes} bytes, the element has ${real.body.length}`);
  }
  // MATLAB may store values in a narrower type than their class (a double matrix of small
  // integers as uint8); they are converted to the class's type.
  const stored = copyAs(real.body, storage.type, storage.bytes);
  const data = stored instanceof numeric.type ? stored : new numeric.type(count);
  if (data !== stored) data.set(stored);
  const className = flagBits & 0x02 ? 'logical' : numeric.name;
  return [name, { name, className, dims, data }];
}

/** Little-endian values copied into their own (aligned) array. */
function copyAs(bytes: Buffer, type: ArrayConstructor, bytesPer: number): MatArray {
  const values = new type(bytes.length / bytesPer);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}
