// REFERENCE_SPEC §14's evaluation vectors and the §13 fixes, on hand-made label maps whose
// results can be worked out on paper.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateDataset } from '../../src/eval/evaluate.js';
import { evaluateImage } from '../../src/eval/image-metrics.js';
import { createRaster, type LabelMap } from '../../src/image/raster.js';

/** A label map with the given rectangles [top, left, height, width, id] painted in order. */
function paint(width: number, height: number, rectangles: [number, number, number, number, number][]): LabelMap {
  const data = new Int32Array(width * height);
  for (const [top, left, h, w, id] of rectangles) {
    for (let y = top; y < top + h; y++) data.fill(id, y * width + left, y * width + left + w);
  }
  return createRaster(data, width, height);
}

const G1: [number, number, number, number, number] = [10, 10, 10, 10, 3]; // 100 px, tumor

test('§14 detection: covering 50 of 100 px is a true positive, 49 px is not', () => {
  const gt = paint(40, 40, [G1]);
  const fifty = evaluateImage('50', paint(40, 40, [[10, 10, 5, 10, 6]]), gt).paper.groups.all;
  assert.deepEqual([fifty.tp, fifty.fp, fifty.fn, fifty.f1], [1, 0, 0, 1]);
  const fortyNine = evaluateImage('49', paint(40, 40, [[10, 10, 4, 10, 6], [14, 10, 1, 9, 6]]), gt).paper.groups.all;
  assert.deepEqual([fortyNine.tp, fortyNine.fp, fortyNine.fn, fortyNine.f1], [0, 1, 1, 0]);
});

test('§14 object Dice: identical objects, then an extra 100-px prediction near and beyond every window', () => {
  const identical = evaluateImage('identical', paint(40, 40, [G1]), paint(40, 40, [G1])).paper.groups.all;
  assert.deepEqual([identical.dice, identical.iou, identical.hausdorff], [1, 1, 0]);

  // S2 is G1 moved 20 px right: H_nearest(S2) = 20, so Haus = ½(1·0 + ½·0 + ½·20) = 5.
  const near = evaluateImage('near', paint(40, 40, [G1, [10, 30, 10, 10, 6]]), paint(40, 40, [G1])).paper.groups.all;
  assert.equal(near.dice, 0.75);
  assert.equal(near.hausdorff, 5);

  // No ground truth within 400 px of S2's centre: H_nearest = 1000, Haus = ½·½·1000.
  const far = evaluateImage('far', paint(1000, 1000, [G1, [900, 900, 10, 10, 6]]), paint(1000, 1000, [G1])).paper.groups.all;
  assert.equal(far.dice, 0.75);
  assert.equal(far.hausdorff, 250);
});

test('§11.2 degenerate cases: ground truth without predictions scores Dice 0 and Haus 500', () => {
  const missed = evaluateImage('missed', paint(40, 40, []), paint(40, 40, [G1])).paper.groups.all;
  assert.deepEqual([missed.f1, missed.dice, missed.iou, missed.hausdorff], [0, 0, 0, 500]);
  const hallucinated = evaluateImage('hallucinated', paint(40, 40, [G1]), paint(40, 40, [])).paper.groups.all;
  assert.deepEqual([hallucinated.f1, hallucinated.dice, hallucinated.hausdorff], [0, 0, 500]);
});

test('§13 fixes: per-class Hausdorff is computed, empty groups are undefined rather than 0', () => {
  // A tumor nucleus found exactly; a lymphocyte predicted 3 px to the right; no stroma anywhere.
  const gt = paint(60, 60, [G1, [30, 30, 8, 8, 4]]);
  const pred = paint(60, 60, [G1, [30, 33, 8, 8, 7]]);
  const { groups } = evaluateImage('classes', pred, gt).paper;
  assert.equal(groups.tumor.hausdorff, 0);
  assert.equal(groups.lymphocyte.hausdorff, 3);
  assert.deepEqual([groups.stroma.f1, groups.stroma.dice, groups.stroma.hausdorff], [null, null, null]);

  const summary = evaluateDataset([{ name: 'classes', pred, gt }]).summary;
  assert.equal(summary.paper.table1.stroma.images, 0);
  assert.equal(summary.paper.table1.stroma.f1, null);
  assert.equal(summary.paper.table1.lymphocyte.hausdorff, 3);
});

test('§13 fixes: no true positives and absent classes leave a 3×3 matrix and undefined accuracies', () => {
  const report = evaluateDataset([{ name: 'miss', pred: paint(40, 40, [[30, 30, 4, 4, 5]]), gt: paint(40, 40, [G1]) }]);
  const { classification } = report.perImage[0].paper;
  assert.deepEqual(classification, { truePositives: 0, correct: 0, accuracy: null, confusion: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] });
  assert.deepEqual(report.summary.paper.table2, {
    all: null,
    columnNormalised: { tumor: null, lymphocyte: null, stroma: null },
    rowNormalised: { tumor: null, lymphocyte: null, stroma: null },
  });
});

test('Table 2: the paper column-normalises the pooled confusion matrix; the row-normalised values are recalls', () => {
  // Three tumor nuclei: two predicted tumor, one predicted lymphocyte; one lymphocyte predicted lymphocyte.
  const gt = paint(60, 60, [[0, 0, 5, 5, 3], [0, 10, 5, 5, 6], [0, 20, 5, 5, 9], [20, 0, 5, 5, 4]]);
  const pred = paint(60, 60, [[0, 0, 5, 5, 3], [0, 10, 5, 5, 6], [0, 20, 5, 5, 7], [20, 0, 5, 5, 4]]);
  const { confusion, table2 } = evaluateDataset([{ name: 'types', pred, gt }]).summary.paper;
  assert.deepEqual(confusion, [[2, 1, 0], [0, 1, 0], [0, 0, 0]]);
  assert.equal(table2.all, 3 / 4);
  assert.deepEqual(table2.columnNormalised, { tumor: 1, lymphocyte: 1 / 2, stroma: null });
  assert.deepEqual(table2.rowNormalised, { tumor: 2 / 3, lymphocyte: 1, stroma: null });
});

test('a nucleus covered half and half by two predictions is found once (the reference counts it twice)', () => {
  const halves = evaluateImage('halves', paint(40, 40, [[10, 10, 10, 5, 3], [10, 15, 10, 5, 6]]), paint(40, 40, [G1])).paper.groups.all;
  assert.deepEqual([halves.tp, halves.fp, halves.fn], [1, 1, 0]);
  assert.equal(halves.f1, 2 / 3);
});
