import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distanceTransform } from '../../src/image/distance.js';
import { createRaster, type Raster } from '../../src/image/raster.js';
import { consepSkipReason, pythonSkipReason } from '../support/env.js';
import { assertArraysEqual, consepLabels, consepNames, golden, randomMask } from './golden.js';

const skipPython = pythonSkipReason('skimage', 'scipy');
const skipConsep = skipPython || consepSkipReason();

test('distances to the nearest zero pixel, with its index', () => {
  const mask = createRaster(Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 1, 1]), 3, 3);
  const { distance, nearest } = distanceTransform(mask, { nearest: true });
  assert.deepEqual([...distance.data], [0, 1, 2, 1, Math.SQRT2, Math.sqrt(5), 2, Math.sqrt(5), Math.sqrt(8)]);
  assert.deepEqual([...(nearest?.data ?? [])], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(distanceTransform(mask).nearest, undefined);
  const full = distanceTransform(createRaster(new Uint8Array(4).fill(1), 2, 2), { nearest: true });
  assert.deepEqual([...full.distance.data], [Infinity, Infinity, Infinity, Infinity]);
});

function checkAgainstScipy(inputs: { name: string; raster: Raster }[]): void {
  const results = golden(inputs.map(({ raster }) => ({ op: 'edt', input: raster, params: { indices: true } })));
  inputs.forEach(({ name, raster }, k) => {
    const { distance, nearest } = distanceTransform(raster, { nearest: true });
    const [expectedDistance, expectedIndices] = results[k];
    assertArraysEqual(distance.data, expectedDistance, `${name} distance`);
    const n = raster.width * raster.height;
    const expectedNearest = Int32Array.from({ length: n }, (_, i) => expectedIndices[i] * raster.width + expectedIndices[n + i]);
    assertArraysEqual(nearest?.data ?? [], expectedNearest, `${name} nearest index`);
  });
}

test('distance transform and nearest index match scipy on random masks', { skip: skipPython }, () => {
  checkAgainstScipy([
    { name: 'sparse background', raster: randomMask(233, 187, 0.9, 21) },
    { name: 'dense background', raster: randomMask(160, 210, 0.2, 22) },
    { name: 'single zero', raster: createRaster(Uint8Array.from({ length: 97 * 61 }, (_, i) => (i === 3000 ? 0 : 1)), 97, 61) },
    { name: 'one row', raster: randomMask(300, 1, 0.7, 23) },
  ]);
});

test('distance transform and nearest index match scipy on CoNSeP labels', { skip: skipConsep }, async () => {
  const inputs = [];
  for (const name of consepNames().slice(5, 7)) {
    const labels = await consepLabels(name);
    inputs.push({ name, raster: labels });
    // distances from the background: large empty areas, and objects touching the border
    inputs.push({ name: `${name} background`, raster: createRaster(Uint8Array.from(labels.data, (v) => (v === 0 ? 1 : 0)), labels.width, labels.height) });
  }
  checkAgainstScipy(inputs);
});
