import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ChannelStatistics, labStatistics, labStatisticsFrom, reinhardNormalize, reinhardTransfer, type LabStatistics } from '../../src/image/colour.js';
import { readRgb } from '../../src/image/io.js';
import { createRaster, type Raster } from '../../src/image/raster.js';
import { consepDir, consepSkipReason, pythonSkipReason } from '../support/env.js';
import { assertArraysClose, golden, seededRandom } from './golden.js';

const skipPython = pythonSkipReason('skimage', 'scipy');
const skipConsep = skipPython || consepSkipReason();

function randomRgb(width: number, height: number, channels: number, seed: number): Raster<Uint8Array> {
  const random = seededRandom(seed);
  return createRaster(Uint8Array.from({ length: width * height * channels }, () => Math.floor(random() * 256)), width, height, channels);
}

test('an image transferred to its own statistics is unchanged; per-channel statistics pool all pixels', () => {
  const image = randomRgb(40, 30, 3, 31);
  const same = reinhardNormalize(image, labStatistics(image));
  let worst = 0;
  for (let i = 0; i < image.data.length; i++) worst = Math.max(worst, Math.abs(same.data[i] - image.data[i]));
  assert.ok(worst <= 1, `round trip differs by ${worst}`);

  const statistics = new ChannelStatistics();
  statistics.add(createRaster(Uint8Array.from([0, 10, 20, 255, 10, 40]), 2, 1, 3));
  statistics.add(createRaster(Uint8Array.from([0, 10, 60, 255]), 1, 1, 4));
  assert.deepEqual(statistics.mean.map((m) => m * 255), [85, 10, 40]);
  assert.deepEqual(statistics.std.map((s) => s * 255), [Math.sqrt(255 * 255 / 3 - 85 * 85), 0, Math.sqrt(1600 + 400 * 2 / 3 - 1600)]);
  assert.throws(() => labStatistics(createRaster(new Uint8Array(4), 2, 2)), /RGB image/);

  const saved = labStatisticsFrom(JSON.parse(JSON.stringify(labStatistics(image))), 'stats.json');
  assert.deepEqual(reinhardTransfer(image, saved).data, reinhardTransfer(image, labStatistics(image)).data);
  assert.throws(() => labStatisticsFrom({ mean: [0, 0], std: [1, 1, 1] }, 'stats.json'), /stats\.json: colour statistics need 'mean' as three finite numbers/);
  assert.throws(() => labStatisticsFrom(null, 'stats.json'), /need 'mean'/);
});

function checkAgainstNumpy(image: Raster, reference: Raster, what: string): void {
  const target: LabStatistics = labStatistics(reference);
  const [[expectedOut, expectedSource], [, expectedTarget]] = golden([
    { op: 'reinhard', input: image, params: { target_mean: target.mean, target_std: target.std } },
    { op: 'reinhard', input: reference, params: { target_mean: [0, 0, 0], target_std: [1, 1, 1] } },
  ]);
  const source = labStatistics(image);
  assertArraysClose([...source.mean, ...source.std], expectedSource, 1e-9, `${what} source statistics`);
  assertArraysClose([...target.mean, ...target.std], expectedTarget, 1e-9, `${what} target statistics`);
  assertArraysClose(reinhardTransfer(image, target).data, expectedOut, 1e-4, `${what} transfer`);
}

test('Reinhard transfer matches the numpy reference on random images', { skip: skipPython }, () => {
  checkAgainstNumpy(randomRgb(64, 48, 3, 32), randomRgb(50, 70, 4, 33), 'random');
});

test('Reinhard transfer matches the numpy reference on CoNSeP images', { skip: skipConsep }, async () => {
  const image = await readRgb(join(consepDir, 'images', 'train_2.png'));
  const reference = await readRgb(join(consepDir, 'images', 'train_5.png'));
  checkAgainstNumpy(image, reference, 'CoNSeP');
});
