// `histonuc predict` end to end: every output for a good image, inputs untouched, and clear errors
// with nothing half-written for bad images and wrong checkpoints.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

import sharp from 'sharp';

import { generateSyntheticTile } from '../../src/data/synthetic.js';
import { manualSeed, writeSafetensors, zeros } from '../../src/engine/index.js';
import { writePng } from '../../src/image/io.js';
import { createModel } from '../../src/models/index.js';
import { OUTPUT_CLASSES, saveCheckpoint } from '../../src/train/checkpoint.js';
import { repoRoot } from '../support/env.js';

const cli = resolve(repoRoot, 'dist', 'src', 'cli', 'main.js');
let dir = '';
let checkpoint = '';
let images = '';

function predict(...args: string[]): { status: number | null; stderr: string; stdout: string } {
  return spawnSync(process.execPath, [cli, 'predict', '--threads', '1', ...args], { encoding: 'utf8' });
}

function digest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'histonuc-predict-'));
  manualSeed(1);
  checkpoint = join(dir, 'unet.safetensors');
  saveCheckpoint(checkpoint, {
    header: { format: 'histonuc-checkpoint', version: 1, model: 'unet', modelOptions: {}, normalisation: { mean: [0.7, 0.5, 0.7], std: [0.15, 0.15, 0.1] }, classes: OUTPUT_CLASSES, mpp: 0.25 },
    model: createModel('unet').eval(),
  });
  images = join(dir, 'images');
  mkdirSync(images);
  await writePng(join(images, 'tile.png'), generateSyntheticTile(300, 260, 7).image);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('predict writes every output for an image of any size and leaves the input untouched', () => {
  const before = digest(join(images, 'tile.png'));
  const out = join(dir, 'out');
  const run = predict('--model', checkpoint, images, '--out', out, '--formats', 'labels-png,labels-tiff,overlay,geojson,csv,summary');
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['tile.geojson', 'tile_label.png', 'tile_label.tiff', 'tile_nuclei.csv', 'tile_overlay.png', 'tile_summary.json']);
  assert.equal(digest(join(images, 'tile.png')), before);
  const geojson = JSON.parse(readFileSync(join(out, 'tile.geojson'), 'utf8')) as { type: string };
  assert.equal(geojson.type, 'FeatureCollection');
});

test('bad images get errors naming the file, and no outputs for them', async () => {
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  const good = readFileSync(join(images, 'tile.png'));
  writeFileSync(join(bad, 'truncated.png'), good.subarray(0, good.length / 3));
  const cases: [string, RegExp][] = [['truncated.png', /truncated\.png: (corrupt|cannot read)/]];
  const rgb = generateSyntheticTile(128, 128, 2).image;
  await sharp(Buffer.from(rgb.data), { raw: { width: 128, height: 128, channels: 3 } }).toColourspace('b-w').png().toFile(join(bad, 'grey.png'));
  cases.push(['grey.png', /grey\.png: histonuc needs an RGB H&E image; this one has 1 channel\(s\) \(greyscale\)/]);
  await sharp(Buffer.from(rgb.data), { raw: { width: 128, height: 128, channels: 3 } }).ensureAlpha().png().toFile(join(bad, 'rgba.png'));
  cases.push(['rgba.png', /rgba\.png: histonuc needs an RGB H&E image; this one has 4 channel\(s\) \(RGBA/]);
  await sharp(Buffer.from(rgb.data.subarray(0, 32 * 32 * 3)), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(bad, 'tiny.png'));
  cases.push(['tiny.png', /tiny\.png: 32×32 is too small/]);
  for (const [name, message] of cases) {
    const out = join(dir, `out-${name}`);
    const run = predict('--model', checkpoint, join(bad, name), '--out', out);
    assert.equal(run.status, 1, `${name}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.ok(!existsSync(out) || readdirSync(out).length === 0, `${name}: nothing written`);
  }
});

test('a checkpoint that is not a histonuc model is refused clearly', () => {
  const torchvisionLike = join(dir, 'resnet34.safetensors');
  writeSafetensors(torchvisionLike, [['conv1.weight', zeros([64, 3, 7, 7])]]);
  let run = predict('--model', torchvisionLike, images, '--out', join(dir, 'o1'));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /resnet34\.safetensors' is a safetensors file but not a histonuc checkpoint/);
  const junk = join(dir, 'junk.safetensors');
  writeFileSync(junk, 'definitely not weights');
  run = predict('--model', junk, images, '--out', join(dir, 'o2'));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /junk\.safetensors' is not a valid safetensors file/);
  run = predict('--model', join(dir, 'missing.safetensors'), images, '--out', join(dir, 'o3'));
  assert.match(run.stderr, /missing\.safetensors: no such checkpoint/);
});

test('the output folder may not be the input folder', () => {
  copyFileSync(join(images, 'tile.png'), join(dir, 'copy.png'));
  const run = predict('--model', checkpoint, join(dir, 'copy.png'), '--out', dir);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /holds the input .*copy\.png; write the outputs to another folder/);
});
