import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeInstances, ImportError, instanceIds, typesFromList, typesFromMajority } from '../../src/data/import-labels.js';
import type { NucleusClass } from '../../src/image/labels.js';

// 5×2, ids 9, 2, 40, 7 (non-contiguous, not in raster order of appearance).
const instances = { width: 5, height: 2, ids: [9, 9, 0, 2, 2, 40, 0, 7, 7, 2] };
const classes = new Map<number, NucleusClass>([[1, 2], [2, 1], [3, 0]]);

test('instance ids are the distinct positive ids, ascending; a non-integer or negative id is an error naming the pixel', () => {
  assert.deepEqual(instanceIds(instances, 'a.mat'), [2, 7, 9, 40]);
  assert.throws(() => instanceIds({ width: 2, height: 2, ids: [0, 0, 0, 1.5] }, 'a.mat'), /^ImportError: a\.mat: instance id 1\.5 at pixel \(x 1, y 1\)/);
  assert.throws(() => instanceIds({ width: 2, height: 1, ids: [-3, 1] }, 'a.mat'), /instance id -3/);
});

test('a type list is read by id when it reaches the largest id, else in id order when one per instance', () => {
  const ids = [2, 7, 9, 40];
  const byId = Array.from({ length: 40 }, (_, k) => k + 100);
  assert.deepEqual([...typesFromList(ids, byId, 'a.mat')], [[2, 101], [7, 106], [9, 108], [40, 139]]);
  assert.deepEqual([...typesFromList(ids, [5, 6, 7, 8], 'a.mat')], [[2, 5], [7, 6], [9, 7], [40, 8]]);
  assert.deepEqual([...typesFromList([1, 2, 3], [4, 5, 6], 'a.mat')], [[1, 4], [2, 5], [3, 6]]);
  assert.throws(() => typesFromList(ids, [1, 2, 3], 'a.mat'), /a\.mat: 3 instance types for 4 instances with ids up to 40/);
});

test('the majority type of a nucleus ignores type 0 pixels and breaks ties towards the smaller code', () => {
  const map = { width: 6, height: 1, ids: [1, 1, 1, 1, 2, 2] };
  assert.deepEqual([...typesFromMajority(map, [1, 2], [0, 0, 5, 3, 4, 2], 'a.png')], [[1, 3], [2, 2]]);
  assert.deepEqual([...typesFromMajority(map, [1, 2], [0, 5, 5, 3, 4, 4], 'a.png')], [[1, 5], [2, 4]]);
  assert.throws(() => typesFromMajority(map, [1, 2], [0, 0, 0, 0, 1, 1], 'a.png'), /a\.png: instance 1 has no pixel of a nonzero type/);
});

test('nuclei are numbered per class in increasing source id: 3k tumor, 3k−2 lymphocyte, 3k−1 stroma', () => {
  const types = new Map([[2, 3], [7, 1], [9, 3], [40, 2]]);
  const { labels, nuclei, typeCounts } = encodeInstances(instances, types, classes, 'a.mat', 'a.png');
  // 2 → tumor #1 = 3, 9 → tumor #2 = 6, 7 → stroma #1 = 2, 40 → lymphocyte #1 = 1.
  assert.deepEqual([...labels.data], [6, 6, 0, 3, 3, 1, 0, 2, 2, 3]);
  assert.deepEqual(nuclei, [2, 1, 1]);
  assert.deepEqual([...typeCounts].sort(), [[1, 1], [2, 1], [3, 2]]);
});

test('type 0, an unknown type, a missing type and the 16-bit limit are errors naming the file or image', () => {
  const types = (code: number): Map<number, number> => new Map([[2, 3], [7, code], [9, 3], [40, 2]]);
  assert.throws(() => encodeInstances(instances, types(0), classes, 'a.mat', 'a.png'), /^ImportError: a\.mat: instance 7 has type 0, which is not a known type \(1 stroma, 2 lymphocyte, 3 tumor\)/);
  assert.throws(() => encodeInstances(instances, types(8), classes, 'a.mat', 'a.png'), /instance 7 has type 8/);
  assert.throws(() => encodeInstances(instances, new Map([[2, 3], [9, 3], [40, 2]]), classes, 'a.mat', 'a.png'), /a\.mat: instance 7 has no type/);

  const count = 21846; // lymphocyte #21846 would be 65536
  const many = { width: count, height: 1, ids: Array.from({ length: count }, (_, i) => i + 1) };
  const allLymphocytes = new Map(many.ids.map((id) => [id, 2]));
  assert.throws(() => encodeInstances(many, allLymphocytes, classes, 'big.mat', 'big.png'), (error: unknown) => {
    assert.ok(error instanceof ImportError);
    assert.match(error.message, /^big\.mat: image big\.png has more lymphocyte nuclei than a 16-bit label image can number \(id 65536 > 65535\)/);
    return true;
  });
  const fewer = { width: count - 1, height: 1, ids: many.ids.slice(0, -1) };
  allLymphocytes.delete(count);
  assert.equal(Math.max(...encodeInstances(fewer, allLymphocytes, classes, 'big.mat', 'big.png').labels.data), 65533);
});
