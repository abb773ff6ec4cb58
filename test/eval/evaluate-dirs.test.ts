// `histonuc evaluate`'s core: pairing the files of two folders, the report, the markdown tables,
// and clear errors for size mismatches, images that are not integer label maps and missing pairs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluateDataset } from '../../src/eval/evaluate.js';
import { evaluateDirectories, pairLabelFiles } from '../../src/eval/evaluate-dirs.js';
import { evaluateImage } from '../../src/eval/image-metrics.js';
import { formatMarkdownSummary } from '../../src/eval/markdown.js';
import { writeReportJson } from '../../src/eval/report.js';
import { writeLabels, writePng } from '../../src/image/io.js';
import { createRaster, type LabelMap, type Raster } from '../../src/image/raster.js';
import { pythonSkipReason, referencePython } from '../support/env.js';

const root = mkdtempSync(join(tmpdir(), 'histonuc-eval-dirs-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;

/** Fresh gt/ and pred/ folders under the temporary root. */
function folderPair(): { gtDir: string; predDir: string } {
  const base = join(root, String(folders++));
  const gtDir = join(base, 'gt');
  const predDir = join(base, 'pred');
  mkdirSync(gtDir, { recursive: true });
  mkdirSync(predDir, { recursive: true });
  return { gtDir, predDir };
}

function nuclei(width: number, height: number, shift: number): LabelMap {
  const data = new Int32Array(width * height);
  [3, 4, 5, 6, 7].forEach((id, k) => {
    for (let y = 4 + 8 * k; y < 9 + 8 * k; y++) data.fill(id, y * width + 4 + shift + 6 * k, y * width + 10 + shift + 6 * k);
  });
  return createRaster(data, width, height);
}

test('pairs <name>_label.png ground truth with <name>.png or <name>_label.tif predictions and evaluates them', async () => {
  const { gtDir, predDir } = folderPair();
  const maps = { a: [nuclei(48, 48, 0), nuclei(48, 48, 1)], b: [nuclei(40, 44, 2), nuclei(40, 44, 0)] } as const;
  await writeLabels(join(gtDir, 'a_label.png'), maps.a[0]);
  await writeLabels(join(predDir, 'a.png'), maps.a[1]);
  await writeLabels(join(gtDir, 'b_label.png'), maps.b[0]);
  await writeLabels(join(predDir, 'b_label.tif'), maps.b[1]);
  await writeLabels(join(gtDir, 'c_label.png'), maps.a[0]);
  // `histonuc predict` can write the same labels as PNG and TIFF: the PNG is read.
  await writeLabels(join(predDir, 'c_label.png'), maps.a[1]);
  await writeLabels(join(predDir, 'c_label.tiff'), maps.a[1]);
  await writeLabels(join(predDir, 'extra.png'), maps.b[1]);
  writeFileSync(join(predDir, 'notes.txt'), 'not an image');

  const report = await evaluateDirectories({ predDir, gtDir });
  assert.deepEqual(
    report.pairs.map(({ name, pred, gt }) => [name, pred, gt]),
    [
      ['a', join(predDir, 'a.png'), join(gtDir, 'a_label.png')],
      ['b', join(predDir, 'b_label.tif'), join(gtDir, 'b_label.png')],
      ['c', join(predDir, 'c_label.png'), join(gtDir, 'c_label.png')],
    ],
  );
  assert.deepEqual(report.unpairedPredictions, [join(predDir, 'extra.png')]);
  const inMemory = evaluateDataset([
    { name: 'a', pred: maps.a[1], gt: maps.a[0] },
    { name: 'b', pred: maps.b[1], gt: maps.b[0] },
    { name: 'c', pred: maps.a[1], gt: maps.a[0] },
  ]);
  assert.deepEqual(report.perImage, inMemory.perImage);
  assert.deepEqual(report.summary, inMemory.summary);

  const jsonPath = join(root, 'report.json');
  writeReportJson(jsonPath, report);
  const written = JSON.parse(readFileSync(jsonPath, 'utf8')) as typeof report;
  assert.equal(written.perImage.length, 3);
  assert.equal(written.perImage[1].name, 'b');
  assert.deepEqual(written.summary.paper.confusion, report.summary.paper.confusion);
});

test('the markdown puts a Table-1 row, both Table-2 rows and the standard metrics in tables', () => {
  const gt = nuclei(48, 48, 0);
  const { summary } = evaluateDataset([{ name: 'a', pred: gt, gt }]);
  const markdown = formatMarkdownSummary(summary, 'perfect');
  assert.match(markdown, /\| Method \| All F1 \| All Dice \| All Haus \| Tumor F1 \| Tumor Dice \| Tumor Haus \| Lym F1 \|/);
  assert.match(markdown, /\| perfect \| 1\.000 \| 1\.000 \| 0\.00 \| 1\.000 \| 1\.000 \| 0\.00 \| 1\.000 \| 1\.000 \| 0\.00 \| 1\.000 \| 1\.000 \| 0\.00 \|/);
  assert.match(markdown, /\| perfect \(column-normalised, as the paper: precision of each predicted class\) \| 100\.00 \| 100\.00 \| 100\.00 \| 100\.00 \|/);
  assert.match(markdown, /\| perfect \(row-normalised: recall of each true class\) \| 100\.00 \|/);
  assert.match(markdown, /\| Dice1 \| AJI \| AJI\+ \| DQ \| SQ \| PQ \|\n\| --- (\| --- ){5}\|\n\| 1\.0000 \| 1\.0000 \| 1\.0000 \| 1\.0000 \| 1\.0000 \| 1\.0000 \|/);
  assert.match(markdown, /\| F_d \| Precision \| Recall \| Type accuracy \| F_c Tumor \| F_c Lym \| F_c Stroma \|/);

  const empty = formatMarkdownSummary(evaluateDataset([{ name: 'none', pred: createRaster(new Int32Array(4), 2, 2), gt: createRaster(new Int32Array(4), 2, 2) }]).summary);
  assert.match(empty, /\| histonuc \| n\/a \| n\/a \| n\/a \|/);
});

test('missing, ambiguous and several predictions are reported together', async () => {
  const { gtDir, predDir } = folderPair();
  const map = nuclei(32, 48, 0);
  for (const name of ['a_label.png', 'b_label.png', 'c_label.png', 'd.png', 'd_label.tif']) await writeLabels(join(gtDir, name), map);
  for (const name of ['b.png', 'c.png', 'c_label.tiff']) await writeLabels(join(predDir, name), map);
  assert.throws(
    () => pairLabelFiles(predDir, gtDir),
    (error: Error) =>
      error.message.includes('no prediction for "a" (looked for a_label.png or a.png, .tif, .tiff)') &&
      error.message.includes(`several predictions for "c": c.png, c_label.tiff`) &&
      error.message.includes('ground truth "d" is ambiguous: d.png, d_label.tif') &&
      !error.message.includes('"b"'),
  );
  const { predDir: emptyPred, gtDir: emptyGt } = folderPair();
  assert.throws(() => pairLabelFiles(emptyPred, emptyGt), /no ground-truth label images/);
  assert.throws(() => pairLabelFiles(join(root, 'nowhere'), emptyGt), /nowhere: cannot list the prediction folder/);
});

test('a size mismatch names both files', async () => {
  const { gtDir, predDir } = folderPair();
  await writeLabels(join(gtDir, 'a_label.png'), nuclei(48, 48, 0));
  await writeLabels(join(predDir, 'a.png'), nuclei(48, 40, 0));
  await assert.rejects(evaluateDirectories({ predDir, gtDir }), new RegExp(`${join(predDir, 'a.png')} is 48×40 but its ground truth ${join(gtDir, 'a_label.png')} is 48×48`));
  assert.throws(() => evaluateImage('x', nuclei(48, 40, 0), nuclei(48, 48, 0)), /x: the prediction is 48×40 but the ground truth is 48×48/);
});

test('images that are not integer label maps are refused with the file or image named', async () => {
  const { gtDir, predDir } = folderPair();
  await writeLabels(join(gtDir, 'a_label.png'), nuclei(16, 16, 0));
  await writePng(join(predDir, 'a.png'), createRaster(new Uint8Array(16 * 16 * 3), 16, 16, 3));
  await assert.rejects(evaluateDirectories({ predDir, gtDir }), new RegExp(`${join(predDir, 'a.png')}: a label map must be a single-channel`));

  const floats = createRaster(new Float32Array(16), 4, 4) as Raster as LabelMap;
  assert.throws(() => evaluateImage('f', floats, createRaster(new Int32Array(16), 4, 4)), /f: the prediction holds Float32Array values; a label map holds integer ids/);
  assert.throws(() => evaluateImage('n', createRaster(new Int32Array([0, -3, 0, 0]), 2, 2), createRaster(new Int32Array(4), 2, 2)), /n: the prediction is not a label map: .*non-negative/);
  assert.throws(() => evaluateImage('c', createRaster(new Int32Array(8), 2, 2, 2), createRaster(new Int32Array(4), 2, 2)), /c: the prediction has 2 channels/);
});

test('a floating-point TIFF is refused with the file named', { skip: pythonSkipReason('PIL', 'numpy') }, async () => {
  const { gtDir, predDir } = folderPair();
  await writeLabels(join(gtDir, 'a_label.png'), nuclei(16, 16, 0));
  const floatTiff = join(predDir, 'a.tif');
  const script = 'import sys, numpy as np; from PIL import Image; Image.fromarray(np.full((16, 16), 3.5, np.float32)).save(sys.argv[1])';
  assert.equal(spawnSync(referencePython, ['-c', script, floatTiff]).status, 0);
  await assert.rejects(evaluateDirectories({ predDir, gtDir }), new RegExp(`${floatTiff}: unsupported 32-bit float samples`));
});
