// Post-processing equals a scikit-image implementation of REFERENCE_SPEC §10.4 (majority-class defect
// fixed) on the same probability maps, exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { F, tensor } from '../../src/engine/index.js';
import { argmaxMap, postprocess } from '../../src/infer/postprocess.js';
import { pythonSkipReason, runPython } from '../support/env.js';

function readFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

test('post-processing equals the scikit-image reference exactly', { skip: pythonSkipReason('skimage', 'scipy') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-post-'));
  try {
    const cases = JSON.parse(runPython('test/reference/infer/postprocess.py', [dir])) as [string, number, number][];
    for (const [name, height, width] of cases) {
      const probabilities = tensor(readFloat32(join(dir, `${name}_prob.bin`)), [5, height, width]);
      const expectedBytes = readFileSync(join(dir, `${name}_labels.bin`));
      const expected = new Int32Array(expectedBytes.buffer.slice(expectedBytes.byteOffset, expectedBytes.byteOffset + expectedBytes.byteLength));
      const { labels, classProbabilities } = postprocess(probabilities);
      assert.equal(labels.width, width);
      assert.equal(labels.height, height);
      let mismatches = 0;
      for (let i = 0; i < expected.length; i++) if (labels.data[i] !== expected[i]) mismatches++;
      assert.equal(mismatches, 0, `${name}: ${mismatches} pixels differ`);
      const ids = new Set(labels.data);
      ids.delete(0);
      assert.ok(ids.size > 5, `${name}: the case should hold several nuclei, found ${ids.size}`);
      const classBytes = readFileSync(join(dir, `${name}_classprob.bin`));
      const expectedClass = new Float64Array(classBytes.buffer.slice(classBytes.byteOffset, classBytes.byteOffset + classBytes.byteLength));
      assert.deepEqual([...classProbabilities.keys()].sort((a, b) => a - b), [...ids].sort((a, b) => a - b), `${name}: one entry per nucleus`);
      for (const id of ids) {
        const p = classProbabilities.get(id)!;
        for (let c = 0; c < 3; c++) assert.ok(Math.abs(p[c]! - expectedClass[id * 3 + c]!) < 1e-9, `${name}: class ${c} probability of ${id}: ${p[c]} vs ${expectedClass[id * 3 + c]}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the argmax map equals libtorch's argmax, ties and NaN included", () => {
  const [height, width] = [37, 4133]; // more pixels than one native block, and a ragged last block
  const values = new Float32Array(5 * height * width);
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < values.length; i++) values[i] = Math.floor(random() * 4) / 4; // many ties
  for (let i = 0; i < 200; i++) values[Math.floor(random() * values.length)] = Number.NaN;
  const map = tensor(values, [5, height, width]);
  const expected = map.argmax(0).toTypedArray();
  const ours = argmaxMap(map);
  let mismatches = 0;
  for (let i = 0; i < ours.length; i++) if (ours[i] !== Number(expected[i])) mismatches++;
  assert.equal(mismatches, 0);
  map.dispose();
});

test('the native passes refuse output and label arrays of the wrong kind or size', () => {
  const map = tensor(new Float32Array(5 * 2 * 3), [5, 2, 3]);
  try {
    assert.throws(() => F.channelArgmax(map, new Uint8Array(5)), /a Uint8Array has 5 elements, expected 6/);
    assert.throws(() => F.channelArgmax(map, new Int8Array(6) as unknown as Uint8Array), /argument 1 is not a Uint8Array/);
    assert.throws(() => F.sumsByLabel(map, 1, 3, new Int32Array(7), 1), /an Int32Array has 7 elements, expected 6/);
    assert.throws(() => F.sumsByLabel(map, 1, 3, new Uint32Array(6) as unknown as Int32Array, 1), /argument 3 is not an Int32Array/);
    assert.deepEqual([...F.sumsByLabel(map, 1, 3, new Int32Array([0, 1, 1, 0, 0, 1]), 1)], [0, 0, 0, 0, 3, 0, 0, 0]);
  } finally {
    map.dispose();
  }
});
