import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { imagePath } from '../../src/data/dataset.js';
import { CONSEP_TYPE_CLASSES, importConsep } from '../../src/data/import-consep.js';
import { formatImportReport } from '../../src/data/import-dataset.js';
import { readRgb, writePng } from '../../src/image/io.js';
import { createRaster } from '../../src/image/raster.js';
import { consepDir, consepSkipReason, pythonSkipReason, runPython } from '../support/env.js';
import { assertImported, assertImportFails, literally } from './import-helpers.js';

const skip = pythonSkipReason('scipy', 'numpy', 'PIL') || consepSkipReason();
const SCRIPT = 'test/reference/data/make_import_sources.py';
let work = '';
let release = '';

// A fake release of two CoNSeP images: train_1 in Train/ (types from inst_type, which type_map
// contradicts on some nuclei), train_2 in Test/ (no inst_type: noisy type_map majority).
before(() => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'histonuc-consep-import-'));
  release = join(work, 'release');
  runPython(SCRIPT, ['consep', consepDir, release, 'train_1', 'train_2']);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a CoNSeP release imports to the expected labels, images, classes and Train/Test split', { skip }, async () => {
  const out = join(work, 'full');
  const report = await importConsep(release, out);
  await assertImported(report, join(release, 'expected'));
  assert.deepEqual(report.split, { train: ['train_1'], val: [], test: ['train_2'] });
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'split.json'), 'utf8')), report.split);
  assert.deepEqual(report.images.map((image) => image.typeSource), ['inst_type', 'type_map majority']);

  const counts = JSON.parse(readFileSync(join(consepDir, 'nuclei_counts.json'), 'utf8')) as Record<string, Record<string, number>>;
  for (const image of report.images) {
    assert.deepEqual(image.nuclei, [counts[image.name].tumor, counts[image.name].lymphocyte, counts[image.name].stroma], image.name);
    const [imported, original] = await Promise.all([readRgb(imagePath(out, image.name)), readRgb(imagePath(consepDir, image.name))]);
    assert.deepEqual(imported, original, `${image.name}: the RGB of the RGBA source`);
  }
  for (const { code, className } of report.types) assert.equal(className, ['tumor', 'lymphocyte', 'stroma'][CONSEP_TYPE_CLASSES.get(code) as number]);
  assert.equal(report.types.reduce((sum, t) => sum + t.nuclei, 0), report.images.reduce((sum, i) => sum + i.nuclei[0] + i.nuclei[1] + i.nuclei[2], 0));
  assert.match(formatImportReport(report), /imported 2 images from .*; nucleus types from inst_type, type_map majority\nsource types: 1 → stroma \d+, 2 → lymphocyte/);
});

test('one folder of the release imports alone, with a requested split checked against its images', { skip }, async () => {
  const out = join(work, 'test-only');
  await assertImportFails(() => importConsep(join(release, 'Test'), out, { split: { train: ['train_1'], val: [], test: [] } }), out, /the requested split: train names "train_1", which is not an image/);
  const report = await importConsep(join(release, 'Test'), out, { split: { train: [], val: ['train_2'], test: [] } });
  await assertImported(report, join(release, 'expected'));
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'split.json'), 'utf8')), { train: [], val: ['train_2'], test: [] });
  await assert.rejects(importConsep(join(release, 'Test'), out), /already exists/);
});

test('a corrupt or missing .mat, a size mismatch, a bad type and a non-release fail naming the file, leaving nothing', { skip }, async () => {
  const broken = (name: string): string => {
    const dir = join(work, name);
    cpSync(release, dir, { recursive: true });
    return dir;
  };
  const out = join(work, 'out');

  // The Test image comes second: the Train image is already written when these fail.
  const truncated = broken('truncated');
  const truncatedMat = join(truncated, 'Test', 'Labels', 'train_2.mat');
  truncateSync(truncatedMat, 5000);
  await assertImportFails(() => importConsep(truncated, out), out, literally(`${truncatedMat}: `), /truncated|corrupt compressed data/);

  const missing = broken('missing');
  unlinkSync(join(missing, 'Test', 'Labels', 'train_2.mat'));
  await assertImportFails(() => importConsep(missing, out), out, literally(join(missing, 'Test', 'Images', 'train_2.png')), /no label file Labels\/train_2\.mat/);

  const resized = broken('resized');
  const smallImage = join(resized, 'Test', 'Images', 'train_2.png');
  await writePng(smallImage, createRaster(new Uint8Array(999 * 1000 * 3), 999, 1000, 3));
  await assertImportFails(() => importConsep(resized, out), out, literally(join(resized, 'Test', 'Labels', 'train_2.mat')), /size 1000×1000 differs from its image .*train_2\.png \(999×1000\)/);

  // A tiny release whose inst_type gives nucleus 2 the type 0; then one without any types.
  const tiny = join(work, 'tiny');
  mkdirSync(join(tiny, 'Images'), { recursive: true });
  mkdirSync(join(tiny, 'Labels'));
  await writePng(join(tiny, 'Images', 'a.png'), createRaster(new Uint8Array(4 * 3 * 3), 4, 3, 3));
  const mat = join(tiny, 'Labels', 'a.mat');
  const instMap = [[0, 1, 1, 0], [2, 2, 0, 3], [0, 0, 0, 3]];
  runPython(SCRIPT, ['mat', mat], JSON.stringify({ inst_map: instMap, inst_type: [[2], [0], [1]] }));
  await assertImportFails(() => importConsep(tiny, out), out, literally(`${mat}: instance 2 has type 0, which is not a known type`));
  runPython(SCRIPT, ['mat', mat], JSON.stringify({ inst_map: instMap }));
  await assertImportFails(() => importConsep(tiny, out), out, literally(`${mat}: neither inst_type nor type_map`));
  runPython(SCRIPT, ['mat', mat], JSON.stringify({ inst_map: instMap, inst_type: [[2], [3], [1]] }));
  const report = await importConsep(tiny, out);
  assert.deepEqual(report.images[0].nuclei, [1, 1, 1]);
  assert.equal(report.split, undefined);
  assert.ok(!existsSync(join(out, 'split.json')));

  await assertImportFails(() => importConsep(join(work, 'nowhere'), join(work, 'out2')), join(work, 'out2'), /nowhere: not a folder/);
  await assertImportFails(() => importConsep(join(release, 'expected'), join(work, 'out2')), join(work, 'out2'), /not a CoNSeP release/);
});
