import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  binaryDilate, binaryErode, CROSS, dilate, disk, erode, findBoundaries, SQUARE, type BoundaryMode, type Footprint,
} from '../../src/image/morphology.js';
import { createRaster, type Raster } from '../../src/image/raster.js';
import { consepSkipReason, pythonSkipReason } from '../support/env.js';
import { assertArraysEqual, consepLabels, consepNames, golden, randomLevels, randomMask, type GoldenTask } from './golden.js';

const skipPython = pythonSkipReason('skimage', 'scipy');
const skipConsep = skipPython || consepSkipReason();

test('footprints are scikit-image disks (REFERENCE_SPEC §2.2, §14)', () => {
  assert.deepEqual(disk(1).halfWidths, [0, 1, 0]);
  assert.deepEqual(disk(2).halfWidths, [0, 1, 2, 1, 0]);
  assert.equal(disk(2).halfWidths.reduce((sum, h) => sum + 2 * h + 1, 0), 13);
  assert.deepEqual(CROSS, disk(1));
  assert.throws(() => dilate(createRaster(new Uint8Array(4), 2, 2), { halfWidths: [1, 0, 1] }), /shrink away/);
});

test('binary erosion keeps objects touching the border; grey dilation lets the larger id win', () => {
  const mask = createRaster(Uint8Array.from([1, 1, 0, 1, 1, 0, 0, 0, 0]), 3, 3);
  assert.deepEqual([...binaryErode(mask, CROSS).data], [1, 0, 0, 0, 0, 0, 0, 0, 0]);
  // any nonzero byte counts as set, also when four pixels are packed into a word (width 8)
  const bytes = createRaster(Uint8Array.from([0, 0x80, 0, 0, 0, 0, 0x10, 2, 0, 0, 0, 0, 0, 0, 0, 0]), 8, 2);
  assert.deepEqual([...binaryDilate(bytes, CROSS).data], [1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1]);
  assert.deepEqual([...binaryErode(bytes, { halfWidths: [0] }).data], [0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const labels = createRaster(Int32Array.from([3, 0, 5]), 3, 1);
  assert.deepEqual([...dilate(labels, CROSS).data], [3, 5, 5]);
  assert.deepEqual([...erode(labels, CROSS).data], [0, 0, 0]);
});

const footprints: [string, Footprint][] = [['disk1', disk(1)], ['disk2', disk(2)], ['cross', CROSS], ['square3', SQUARE]];
const modes: BoundaryMode[] = ['thick', 'inner', 'outer'];

function touchesBorder({ width, height, data }: Raster): boolean {
  for (let x = 0; x < width; x++) if (data[x] !== 0 || data[(height - 1) * width + x] !== 0) return true;
  for (let y = 0; y < height; y++) if (data[y * width] !== 0 || data[y * width + width - 1] !== 0) return true;
  return false;
}

function isFloat(raster: Raster): boolean {
  return raster.data instanceof Float32Array || raster.data instanceof Float64Array;
}

function checkAgainstSkimage(inputs: { name: string; raster: Raster; binary: boolean }[]): void {
  const tasks: GoldenTask[] = [];
  for (const { raster, binary } of inputs) {
    for (const [fp] of footprints) {
      tasks.push({ op: binary ? 'binary_dilation' : 'dilation', input: raster, params: { fp } });
      tasks.push({ op: binary ? 'binary_erosion' : 'erosion', input: raster, params: { fp } });
    }
    if (isFloat(raster)) continue; // find_boundaries takes integer labels only
    for (const mode of modes) for (const connectivity of [1, 2]) tasks.push({ op: 'find_boundaries', input: raster, params: { mode, connectivity } });
  }
  const results = golden(tasks);
  let k = 0;
  for (const { name, raster, binary } of inputs) {
    for (const [fp, footprint] of footprints) {
      assertArraysEqual((binary ? binaryDilate : dilate)(raster, footprint).data, results[k++][0], `${name} dilation ${fp}`);
      assertArraysEqual((binary ? binaryErode : erode)(raster, footprint).data, results[k++][0], `${name} erosion ${fp}`);
    }
    if (isFloat(raster)) continue;
    for (const mode of modes) {
      for (const connectivity of [4, 8] as const) {
        assertArraysEqual(findBoundaries(raster, mode, connectivity).data, results[k++][0], `${name} find_boundaries ${mode} ${connectivity}`);
      }
    }
  }
}

test('morphology and boundaries match scikit-image on random rasters', { skip: skipPython }, () => {
  checkAgainstSkimage([
    { name: 'blobs', raster: randomMask(211, 173, 0.4, 11), binary: true },
    { name: 'noise', raster: randomMask(64, 80, 0.5, 12), binary: true },
    { name: 'levels int32', raster: randomLevels(150, 120, 5, 13), binary: false },
    { name: 'levels uint8', raster: createRaster(Uint8Array.from(randomLevels(90, 70, 4, 14).data), 90, 70), binary: false },
    { name: 'float', raster: createRaster(Float32Array.from(randomLevels(60, 50, 100, 15).data, (v) => v / 7), 60, 50), binary: false },
    { name: 'thin', raster: randomLevels(2, 40, 3, 16), binary: false },
  ]);
});

test('morphology and boundaries match scikit-image on CoNSeP labels', { skip: skipConsep }, async () => {
  const inputs = [];
  for (const name of consepNames().slice(3, 5)) {
    const labels = await consepLabels(name);
    assert.ok(touchesBorder(labels), `${name} has nuclei on the image border, where the border rules matter`);
    const foreground = createRaster(Uint8Array.from(labels.data, (v) => (v !== 0 ? 1 : 0)), labels.width, labels.height);
    inputs.push({ name, raster: labels, binary: false }, { name: `${name} foreground`, raster: foreground, binary: true });
  }
  checkAgainstSkimage(inputs);
});
