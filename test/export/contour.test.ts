import assert from 'node:assert/strict';
import { test } from 'node:test';
import { traceOutline, type Outline } from '../../src/export/contour.js';
import { cropObject } from '../../src/export/object-mask.js';
import { regionProps } from '../../src/image/labels.js';
import { createRaster, type LabelMap } from '../../src/image/raster.js';
import { consepSkipReason } from '../support/env.js';
import { consepLabels, consepNames } from '../image/golden.js';
import { outlineProblems, ringProblems } from './geometry-check.js';
import { scatteredLabels, syntheticLabels } from './shapes.js';

function labelMap(rows: number[][]): LabelMap {
  return createRaster(Int32Array.from(rows.flat()), rows[0].length, rows.length);
}

function outlines(labels: LabelMap): Map<number, Outline> {
  return new Map(regionProps(labels).map((region) => [region.id, traceOutline(cropObject(labels, region))]));
}

/** Every outline of the map checked; returns how many nuclei there were. */
function assertOutlinesValid(labels: LabelMap, what: string): number {
  const regions = regionProps(labels);
  const problems = regions.flatMap((region) =>
    outlineProblems(traceOutline(cropObject(labels, region)), labels, region).map((p) => `${what} nucleus ${region.id}: ${p}`),
  );
  assert.deepEqual(problems.slice(0, 10), []);
  return regions.length;
}

test('outlines follow pixel corners, counter-clockwise in (x, y), holes filled', () => {
  const found = outlines(labelMap([
    [0, 0, 0, 0, 0, 0],
    [0, 3, 0, 6, 6, 6],
    [0, 0, 0, 6, 0, 6],
    [0, 0, 0, 6, 6, 6],
  ]));
  assert.deepEqual(found.get(3), [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]);
  assert.deepEqual(found.get(6), [[[3, 1], [6, 1], [6, 4], [3, 4], [3, 1]]]);
});

test('pieces touching only at a corner become rings meeting at that point', () => {
  const found = outlines(labelMap([
    [4, 0, 0],
    [0, 4, 4],
    [0, 4, 0],
  ]));
  assert.deepEqual(found.get(4), [
    [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],
    [[1, 1], [3, 1], [3, 2], [2, 2], [2, 3], [1, 3], [1, 1]],
  ]);
  // A loop closed through a corner encloses a hole, which is filled: one ring.
  const loop = outlines(labelMap([
    [1, 1, 1],
    [1, 0, 1],
    [1, 1, 0],
  ]));
  assert.deepEqual(loop.get(1), [[[0, 0], [3, 0], [3, 2], [2, 2], [2, 3], [0, 3], [0, 0]]]);
});

test('the checker catches rings that are open, clockwise or touch themselves', () => {
  assert.match(ringProblems([[0, 0], [1, 0], [1, 1], [0, 1]]).join(), /not closed/);
  assert.match(ringProblems([[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]).join(), /not positive/);
  assert.match(ringProblems([[0, 0], [1, 0], [1, 1], [2, 1], [2, 2], [1, 2], [1, 1], [0, 1], [0, 0]]).join(), /not simple/);
});

test('outlines of hand-made, random and scattered shapes are simple and cover exactly the filled nuclei', () => {
  assertOutlinesValid(syntheticLabels(), 'synthetic');
  assertOutlinesValid(scatteredLabels(), 'scattered');
});

test('outlines of real CoNSeP nuclei are simple and cover exactly the filled nuclei', { skip: consepSkipReason() }, async () => {
  let nuclei = 0;
  for (const name of consepNames().slice(0, 4)) nuclei += assertOutlinesValid(await consepLabels(name), name);
  assert.ok(nuclei > 1000, `only ${nuclei} nuclei checked`);
});
