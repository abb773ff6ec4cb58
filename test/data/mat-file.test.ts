import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { MatFileError, matrixAt, readMatFile } from '../../src/data/mat-file.js';
import { pythonSkipReason, runPython } from '../support/env.js';

interface Described {
  className: string;
  dims: number[];
  values: (number | string)[];
}

const skip = pythonSkipReason('scipy', 'numpy');
let dir = '';
let described: Record<string, Described> = {};

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'histonuc-mat-'));
  described = JSON.parse(runPython('test/reference/data/write_mat_files.py', [dir])) as Record<string, Described>;
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const special: Record<string, number> = { inf: Infinity, '-inf': -Infinity, '-0.0': -0 };

for (const file of ['plain.mat', 'compressed.mat']) {
  test(`scipy.io.savemat ${file}: every numeric class, shape and value, column-major`, { skip }, () => {
    const mat = readMatFile(join(dir, file));
    assert.deepEqual([...mat.names].sort(), [...Object.keys(described), 'inst_map'].sort());
    for (const [name, expected] of Object.entries(described)) {
      const matrix = mat.matrix(name);
      assert.equal(matrix.className, expected.className, name);
      assert.deepEqual(matrix.dims, expected.dims, name);
      assert.deepEqual([...matrix.data], expected.values.map((v) => (typeof v === 'string' ? special[v] : v)), name);
    }
    assert.equal(matrixAt(mat.matrix('i8'), 1, 2), 100);
    assert.ok(mat.matrix('s').data instanceof Float32Array);
    assert.ok(mat.matrix('u32').data instanceof Uint32Array);
  });

  test(`scipy.io.savemat ${file}: a 1000×1000 int32 inst_map`, { skip }, () => {
    const matrix = readMatFile(join(dir, file)).matrix('inst_map');
    assert.deepEqual(matrix.dims, [1000, 1000]);
    assert.ok(matrix.data instanceof Int32Array);
    for (let r = 0; r < 1000; r++) {
      for (let c = 0; c < 1000; c++) {
        const expected = (((r * 1000 + c) * 2654435761) % 2 ** 31) - 2 ** 30;
        if (matrixAt(matrix, r, c) !== expected) assert.fail(`inst_map(${r}, ${c}) = ${matrixAt(matrix, r, c)}, expected ${expected}`);
      }
    }
  });
}

test('unsupported variables are listed, and reading one names the file, the variable and its kind', { skip }, () => {
  const path = join(dir, 'unsupported.mat');
  const mat = readMatFile(path);
  assert.deepEqual([...mat.matrix('ok').data], [1, 2]);
  const kinds: Record<string, RegExp> = {
    cell: /a cell array/, struct: /a struct/, sparse: /a sparse matrix/, text: /a char array/, complex: /a complex double matrix/, big: /an int64 matrix/,
  };
  for (const [name, kind] of Object.entries(kinds)) {
    assert.ok(mat.has(name), name);
    assert.throws(() => mat.matrix(name), (error: unknown) => {
      assert.ok(error instanceof MatFileError);
      assert.ok(error.message.startsWith(`${path}: variable "${name}": `), error.message);
      assert.match(error.message, kind);
      return true;
    });
  }
  assert.throws(() => mat.matrix('missing'), /variable "missing": not in the file \(it holds ok, cell/);
});

test('corrupt, truncated, v7.3 and non-MAT files are refused naming the file', { skip }, () => {
  const compressed = readFileSync(join(dir, 'compressed.mat'));
  const middle = compressed.length >> 1; // inside inst_map's compressed stream
  const cases: [string, Buffer, RegExp][] = [
    ['truncated.mat', compressed.subarray(0, compressed.length - 1000), /truncated/],
    ['flipped.mat', Buffer.concat([compressed.subarray(0, middle), Buffer.alloc(64, 0x55), compressed.subarray(middle + 64)]), /corrupt compressed data/],
    ['short.mat', Buffer.from('MATLAB 5.0'), /shorter than the 128-byte header/],
    ['v73.mat', matHeader('MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00', 0x0200), /v7\.3 \(HDF5\)/],
    ['text.mat', Buffer.alloc(200, 0x41), /not a MATLAB v5\/v7 MAT-file/],
  ];
  for (const [name, bytes, problem] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    assert.throws(() => readMatFile(path), (error: unknown) => {
      assert.ok(error instanceof MatFileError, name);
      assert.ok(error.message.startsWith(`${path}: `), error.message);
      assert.match(error.message, problem);
      return true;
    });
  }
  assert.throws(() => readMatFile(join(dir, 'absent.mat')), /absent\.mat: cannot read the file/);
});

test('a double matrix stored in a narrower type (as MATLAB writes small integers) is widened', () => {
  // Elements are padded to 8 bytes, except compressed ones.
  const element = (type: number, body: Buffer): Buffer => {
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(type, 0);
    tag.writeUInt32LE(body.length, 4);
    return Buffer.concat([tag, body, Buffer.alloc(type === 15 ? 0 : (8 - (body.length % 8)) % 8)]);
  };
  const flags = Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]); // mxDOUBLE_CLASS
  const dims = Buffer.alloc(8);
  dims.writeInt32LE(2, 0);
  dims.writeInt32LE(2, 4);
  const smallName = Buffer.from([1, 0, 1, 0, 0x78, 0, 0, 0]); // small element: miINT8, 1 byte, "x"
  const matrix = element(14, Buffer.concat([element(6, flags), element(5, dims), smallName, element(2, Buffer.from([1, 2, 3, 250]))]));
  const path = join(mkdtempSync(join(tmpdir(), 'histonuc-mat-')), 'narrow.mat');
  try {
    writeFileSync(path, Buffer.concat([matHeader('MATLAB 5.0 MAT-file', 0x0100), element(15, deflateSync(matrix))]));
    const x = readMatFile(path).matrix('x');
    assert.equal(x.className, 'double');
    assert.ok(x.data instanceof Float64Array);
    assert.deepEqual([...x.data], [1, 2, 3, 250]);
    assert.equal(matrixAt(x, 1, 1), 250);
  } finally {
    rmSync(join(path, '..'), { recursive: true, force: true });
  }
});

function matHeader(text: string, version: number): Buffer {
  const header = Buffer.alloc(128, 0x20);
  header.write(text, 0, 'latin1');
  header.writeUInt16LE(version, 124);
  header.write('IM', 126, 'latin1');
  return header;
}
