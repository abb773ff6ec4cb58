import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DatasetError, checkDataset, formatDatasetReport, imagePath, labelPath, loadDataset, writeDatasetSample, writeSplit,
} from '../../src/data/dataset.js';
import { generateSyntheticTile } from '../../src/data/synthetic.js';
import { writeLabels } from '../../src/image/io.js';
import { createRaster } from '../../src/image/raster.js';
import { consepDir, consepSkipReason } from '../support/env.js';

async function syntheticDataset(names: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-dataset-'));
  for (const [k, name] of names.entries()) await writeDatasetSample(dir, { name, ...generateSyntheticTile(64, 48, k) });
  return dir;
}

test('a broken dataset is reported file by file, and loading it fails naming each file', async () => {
  const dir = await syntheticDataset(['a', 'b', 'c', 'd', 'e', 'f']);
  try {
    unlinkSync(labelPath(dir, 'a'));
    unlinkSync(imagePath(dir, 'b'));
    await writeLabels(labelPath(dir, 'c'), createRaster(new Int32Array(60 * 48), 60, 48));
    truncateSync(imagePath(dir, 'd'), 40);
    await writeLabels(labelPath(dir, 'e'), createRaster(new Int32Array(64 * 48), 64, 48));
    writeFileSync(join(dir, 'images', 'notes.txt'), 'stray');
    writeSplit(dir, { train: ['f', 'e'], val: ['zz'], test: ['f'] });

    const report = await checkDataset(dir);
    assert.equal(report.ok, false);
    const text = formatDatasetReport(report);
    const expectLine = (pattern: RegExp): void => assert.match(text, pattern);
    expectLine(/error: images\/a\.png: no label file labels\/a_label\.png/);
    expectLine(/error: labels\/b_label\.png: no image file images\/b\.png/);
    expectLine(/error: labels\/c_label\.png: size 60×48 differs from its image images\/c\.png \(64×48\)/);
    expectLine(/error: images\/d\.png: (cannot read|corrupt)/);
    expectLine(/warning: labels\/e_label\.png: empty label map/);
    expectLine(/warning: images\/notes\.txt: ignored/);
    expectLine(/error: split\.json: val names "zz"/);
    expectLine(/error: split\.json: "f" is in both train and test/);
    assert.deepEqual(report.images.map((image) => image.name), ['e', 'f']);

    await assert.rejects(loadDataset(dir), (error: unknown) => {
      assert.ok(error instanceof DatasetError);
      for (const file of ['images/a.png', 'labels/b_label.png', 'labels/c_label.png', 'images/d.png']) assert.ok(error.message.includes(file), file);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sound dataset loads whole or by split', async () => {
  const dir = await syntheticDataset(['t1', 't2', 't10', 'v1']);
  try {
    await assert.rejects(loadDataset(dir, 'train'), /no split\.json/);
    writeSplit(dir, { train: ['t1', 't2', 't10'], val: ['v1'], test: [] });
    const all = await loadDataset(dir);
    assert.deepEqual(all.map((sample) => sample.name), ['t1', 't2', 't10', 'v1']);
    const val = await loadDataset(dir, 'val');
    assert.deepEqual(val.map((sample) => sample.name), ['v1']);
    assert.deepEqual(val[0].labels.data, generateSyntheticTile(64, 48, 3).labels.data);
    assert.deepEqual(val[0].image.data, generateSyntheticTile(64, 48, 3).image.data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CoNSeP training images check clean, with the documented class counts', { skip: consepSkipReason() }, async () => {
  const report = await checkDataset(consepDir);
  assert.equal(report.ok, true, formatDatasetReport(report));
  assert.equal(report.images.length, 27);
  const counts = JSON.parse(readFileSync(join(consepDir, 'nuclei_counts.json'), 'utf8')) as Record<string, { tumor: number; lymphocyte: number; stroma: number }>;
  for (const image of report.images) {
    const expected = counts[image.name];
    assert.deepEqual(image.nuclei, [expected.tumor, expected.lymphocyte, expected.stroma], image.name);
  }
});
