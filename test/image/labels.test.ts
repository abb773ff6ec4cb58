import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classMask, classOfId, encodeClassLabels, idForClass, labelComponents, labelEqualValue, maxLabel, regionProps, relabelSequential,
  removeSmallObjects, type Connectivity,
} from '../../src/image/labels.js';
import { createRaster, type LabelMap, type Mask, type Raster } from '../../src/image/raster.js';
import { consepSkipReason, pythonSkipReason } from '../support/env.js';
import { assertArraysClose, assertArraysEqual, consepLabels, consepNames, golden, randomLevels, randomMask, type GoldenTask } from './golden.js';

const skipPython = pythonSkipReason('skimage', 'scipy');
const skipConsep = skipPython || consepSkipReason();

function labelMap(rows: number[][]): LabelMap {
  return createRaster(Int32Array.from(rows.flat()), rows[0].length, rows.length);
}

test('class encoding follows id mod 3 (REFERENCE_SPEC §1, §14)', () => {
  assert.deepEqual([3, 4, 5, 6].map(classOfId), [0, 1, 2, 0]);
  assert.throws(() => classOfId(0), /positive integer/);
  assert.deepEqual([idForClass(0, 1), idForClass(1, 1), idForClass(2, 1), idForClass(0, 2), idForClass(2, 4)], [3, 1, 2, 6, 11]);
  const tumor = labelMap([[1, 0, 2]]);
  const lymphocyte = labelMap([[0, 1, 0]]);
  const stroma = labelMap([[0, 0, 0]]);
  const combined = encodeClassLabels([tumor, lymphocyte, stroma]);
  assert.deepEqual([...combined.data], [3, 1, 6]);
  assert.deepEqual([...classMask(combined, 0).data], [1, 0, 1]);
});

test('labelling numbers components in raster order of their first pixel', () => {
  const mask = labelMap([
    [0, 0, 1, 0, 1],
    [1, 0, 0, 1, 0],
    [1, 1, 0, 0, 0],
  ]);
  assert.deepEqual([...labelComponents(mask, 8).labels.data], [0, 0, 1, 0, 1, 2, 0, 0, 1, 0, 2, 2, 0, 0, 0]);
  assert.equal(labelComponents(mask, 4).count, 4);
  const values = labelMap([[5, 5, 7], [7, 7, 7]]);
  assert.deepEqual([...labelEqualValue(values, 4).labels.data], [1, 1, 2, 2, 2, 2]);
});

test('region properties, relabelling and small-object removal on a small map', () => {
  const labels = labelMap([
    [0, 4, 4],
    [9, 0, 4],
  ]);
  assert.deepEqual(regionProps(labels), [
    { id: 4, area: 3, bbox: [0, 1, 2, 3], centroid: [1 / 3, 5 / 3] },
    { id: 9, area: 1, bbox: [1, 0, 2, 1], centroid: [1, 0] },
  ]);
  assert.deepEqual([...relabelSequential(labels).labels.data], [0, 1, 1, 2, 0, 1]);
  assert.deepEqual([...removeSmallObjects(labels, 2).data], [0, 4, 4, 0, 0, 4]);
  const mask = createRaster(Uint8Array.from([1, 0, 1, 0, 1, 1]), 3, 2);
  assert.deepEqual([...removeSmallObjects(mask, 2, 4).data], [0, 0, 1, 0, 1, 1]);
  assert.deepEqual([...removeSmallObjects(mask, 2, 8).data], [1, 0, 1, 0, 1, 1]);
  assert.throws(() => labelComponents(createRaster(new Uint8Array(6), 1, 2, 3), 8), /single-channel/);
});

function foreground(labels: Raster): Mask {
  return createRaster(Uint8Array.from(labels.data, (v) => (v !== 0 ? 1 : 0)), labels.width, labels.height);
}

function checkAgainstSkimage(inputs: { name: string; raster: Raster; binary: boolean }[]): void {
  const connectivities: Connectivity[] = [4, 8];
  const tasks: GoldenTask[] = [];
  for (const { raster, binary } of inputs) {
    for (const connectivity of connectivities) tasks.push({ op: 'label', input: raster, params: { connectivity: connectivity === 4 ? 1 : 2 } });
    tasks.push({ op: 'remove_small_objects', input: raster, params: { min_size: 20, connectivity: 1, binary } });
    tasks.push({ op: 'remove_small_objects', input: raster, params: { min_size: 30, connectivity: 2, binary } });
    if (!binary) tasks.push({ op: 'regionprops', input: raster }, { op: 'relabel_sequential', input: raster });
  }
  const results = golden(tasks);
  let k = 0;
  for (const { name, raster, binary } of inputs) {
    for (const connectivity of connectivities) {
      const { labels, count } = binary ? labelComponents(raster, connectivity) : labelEqualValue(raster, connectivity);
      const expected = results[k++][0];
      assertArraysEqual(labels.data, expected, `${name} label ${connectivity}-conn`);
      assert.equal(count, maxLabel(createRaster(expected, labels.width, labels.height)));
    }
    assertArraysEqual(removeSmallObjects(raster, 20, 4).data, results[k++][0], `${name} remove_small_objects 20 4-conn`);
    assertArraysEqual(removeSmallObjects(raster, 30, 8).data, results[k++][0], `${name} remove_small_objects 30 8-conn`);
    if (!binary) {
      const props = regionProps(raster);
      const expected = results[k++][0];
      const actual = props.flatMap(({ id, area, bbox, centroid }) => [id, area, ...bbox, ...centroid]);
      assertArraysClose(actual, expected, 1e-9, `${name} regionprops`);
      assertArraysEqual(relabelSequential(raster).labels.data, results[k++][0], `${name} relabel_sequential`);
    }
  }
}

test('labelling, small-object removal and region properties match scikit-image on random rasters', { skip: skipPython }, () => {
  checkAgainstSkimage([
    { name: 'sparse blobs', raster: randomMask(257, 199, 0.3, 1), binary: true },
    { name: 'dense blobs', raster: randomMask(200, 301, 0.6, 2), binary: true },
    { name: 'noise', raster: foreground(randomLevels(180, 160, 2, 3)), binary: true },
    { name: 'levels', raster: randomLevels(190, 170, 4, 4), binary: false },
    { name: 'one row', raster: randomLevels(300, 1, 3, 5), binary: false },
    { name: 'one column', raster: randomLevels(1, 300, 3, 6), binary: false },
  ]);
});

test('labelling, small-object removal and region properties match scikit-image on CoNSeP labels', { skip: skipConsep }, async () => {
  const names = consepNames().slice(0, 3);
  const inputs = [];
  for (const name of names) {
    const labels = await consepLabels(name);
    inputs.push({ name, raster: labels, binary: false }, { name: `${name} foreground`, raster: foreground(labels), binary: true });
  }
  checkAgainstSkimage(inputs);
});
