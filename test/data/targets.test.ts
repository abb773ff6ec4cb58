import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelPath, writeDatasetSample } from '../../src/data/dataset.js';
import { generateSyntheticTile } from '../../src/data/synthetic.js';
import { interiorClasses, trainingTarget, withContourRing } from '../../src/data/targets.js';
import { weightMap } from '../../src/data/weight-map.js';
import { readLabels } from '../../src/image/io.js';
import { createRaster, type LabelMap } from '../../src/image/raster.js';
import { consepDir, consepSkipReason, pythonSkipReason, runPython } from '../support/env.js';

const skipPython = pythonSkipReason('skimage', 'scipy', 'PIL');
const skipConsep = skipPython || consepSkipReason();

function labelMap(rows: number[][]): LabelMap {
  return createRaster(Int32Array.from(rows.flat()), rows[0].length, rows.length);
}

function crop(labels: LabelMap, [top, left, height, width]: number[]): LabelMap {
  const out = new Int32Array(width * height);
  for (let y = 0; y < height; y++) out.set(labels.data.subarray((top + y) * labels.width + left, (top + y) * labels.width + left + width), y * width);
  return createRaster(out, width, height);
}

interface Case {
  /** A label PNG and an optional [top, left, height, width] crop of it. */
  label: string;
  crop?: number[];
  weights: boolean;
}

/** The Python reference's targets and weight maps for each case. */
function reference(cases: Case[]): { target: Uint8Array; weight?: Float64Array; quantised?: Float64Array }[] {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-targets-'));
  try {
    const tasks = cases.map((c, k) => ({ label: c.label, crop: c.crop ?? null, weights: c.weights, output: join(dir, `case${k}`) }));
    runPython('test/reference/data/targets_weights.py', [], JSON.stringify({ tasks }));
    const float64 = (path: string): Float64Array => {
      const bytes = readFileSync(path);
      return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    };
    return tasks.map((task) => ({
      target: new Uint8Array(readFileSync(`${task.output}.target.bin`)),
      ...(task.weights ? { weight: float64(`${task.output}.weight.bin`), quantised: float64(`${task.output}.weight_q.bin`) } : {}),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertTargetsEqual(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let differ = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) differ++;
  assert.equal(differ, 0, `${what}: ${differ} target pixels differ`);
}

function assertWeightsEqual(actual: Float32Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - Math.fround(expected[i])));
  assert.ok(worst <= 1e-6, `${what}: weights differ by up to ${worst}`);
}

test('interiors are cross erosions with class id mod 3; the contour is the disk(2) ring', () => {
  const labels = labelMap([
    [3, 3, 3, 0, 0, 0, 0, 0],
    [3, 3, 3, 4, 4, 4, 0, 0],
    [3, 3, 3, 4, 4, 4, 0, 5],
    [0, 0, 0, 4, 4, 4, 0, 0],
  ]);
  // Nucleus 3 touches the image corner, which does not erode it; the lone pixel 5 has no interior.
  assert.deepEqual([...interiorClasses(labels).data], [
    1, 1, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 2, 0, 0, 0,
  ]);
  assert.deepEqual([...trainingTarget(labels).data], [
    1, 1, 4, 4, 4, 0, 0, 0,
    1, 1, 4, 4, 4, 4, 0, 0,
    4, 4, 4, 4, 2, 4, 4, 0,
    4, 4, 4, 4, 2, 4, 4, 0,
  ]);
  const ring = withContourRing(createRaster(Uint8Array.from([0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0]), 12, 1));
  assert.deepEqual([...ring.data], [0, 0, 0, 0, 4, 4, 3, 4, 4, 0, 0, 0]);
});

test('weight values follow 1 + 10·exp(−(d1+d2)²/50) (REFERENCE_SPEC §14)', () => {
  // Two 1-pixel nuclei 5 px apart: at each, d1 = 0 and d2 = 5.
  const labels = createRaster(new Int32Array(11), 11, 1);
  labels.data[3] = 1;
  labels.data[8] = 2;
  const full = weightMap(labels).data;
  assert.ok(Math.abs(full[3] - (1 + 10 * Math.exp(-0.5))) < 1e-6);
  assert.ok(Math.abs(full[5] - (1 + 10 * Math.exp(-25 / 50))) < 1e-6, 'between them d1 + d2 = 5 as well');
  assert.equal(weightMap(labels, { quantise: true }).data[3], Math.fround(7.05));
  assert.ok(Math.abs(full[0] - (1 + 10 * Math.exp(-(11 * 11) / 50))) < 1e-6);
  const one = createRaster(Int32Array.from([0, 4, 4, 0]), 4, 1);
  assert.deepEqual([...weightMap(one).data], [1, 1, 1, 1], 'fewer than two nuclei: weight 1 everywhere');
  // Touching nuclei: boundaries are object pixels, so where they meet d1 = 0 and d2 = 1.
  const touching = labelMap([[1, 1, 2, 2]]);
  assert.deepEqual([...weightMap(touching, { quantise: true }).data], [10.25, 10.8, 10.8, 10.25].map(Math.fround));
});

test('the boundary is the outer trace of the first fragment: holes and later fragments are ignored', () => {
  const ring = labelMap([
    [0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 3, 3, 3, 0, 0, 0, 0, 0],
    [0, 3, 0, 3, 0, 0, 0, 0, 3],
    [0, 3, 3, 3, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 1, 0],
  ]);
  const weights = weightMap(ring).data;
  // At the hole (row 2, col 2) d1 = 1 to the ring (own boundary), d2 to nucleus 1 at (4, 7) = √(4 + 25).
  assert.ok(Math.abs(weights[2 * 9 + 2] - (1 + 10 * Math.exp(-(((1 + Math.sqrt(29)) ** 2) / 50)))) < 1e-6);
  // The stray fragment of 3 at (2, 8) is not a boundary: at it, d1 is to nucleus 1 (√5), d2 to the ring (5).
  assert.ok(Math.abs(weights[2 * 9 + 8] - (1 + 10 * Math.exp(-(((Math.sqrt(5) + 5) ** 2) / 50)))) < 1e-6);
});

test('targets and weight maps equal the Python reference on synthetic tiles', { skip: skipPython }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-targets-synthetic-'));
  try {
    const tiles = [generateSyntheticTile(160, 120, 5), generateSyntheticTile(96, 96, 6)];
    for (const [k, tile] of tiles.entries()) await writeDatasetSample(dir, { name: `s${k}`, ...tile });
    const expected = reference(tiles.map((_, k) => ({ label: labelPath(dir, `s${k}`), weights: true })));
    tiles.forEach((tile, k) => {
      assertTargetsEqual(trainingTarget(tile.labels).data, expected[k].target, `tile ${k} target`);
      assertWeightsEqual(weightMap(tile.labels).data, expected[k].weight as Float64Array, `tile ${k} weights`);
      assertWeightsEqual(weightMap(tile.labels, { quantise: true }).data, expected[k].quantised as Float64Array, `tile ${k} quantised weights`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('targets (whole images) and weight maps (crops) equal the Python reference on CoNSeP', { skip: skipConsep }, async () => {
  const names = ['train_1', 'train_7', 'train_13'];
  const crops = [
    { name: 'train_1', crop: [0, 0, 300, 300] },
    { name: 'train_7', crop: [350, 420, 360, 360] },
    { name: 'train_13', crop: [640, 700, 360, 300] },
  ];
  const cases: Case[] = [
    ...names.map((name) => ({ label: join(consepDir, 'labels', `${name}_label.png`), weights: false })),
    ...crops.map(({ name, crop }) => ({ label: join(consepDir, 'labels', `${name}_label.png`), crop, weights: true })),
  ];
  const expected = reference(cases);
  for (const [k, name] of names.entries()) {
    const labels = await readLabels(join(consepDir, 'labels', `${name}_label.png`));
    assertTargetsEqual(trainingTarget(labels).data, expected[k].target, name);
  }
  for (const [k, { name, crop: box }] of crops.entries()) {
    const labels = crop(await readLabels(join(consepDir, 'labels', `${name}_label.png`)), box);
    const result = expected[names.length + k];
    assertTargetsEqual(trainingTarget(labels).data, result.target, `${name} crop`);
    assertWeightsEqual(weightMap(labels).data, result.weight as Float64Array, `${name} crop weights`);
    assertWeightsEqual(weightMap(labels, { quantise: true }).data, result.quantised as Float64Array, `${name} crop quantised weights`);
  }
});

test('a whole 1000×1000 CoNSeP weight map takes well under a second', { skip: consepSkipReason() }, async () => {
  const labels = await readLabels(join(consepDir, 'labels', 'train_1_label.png'));
  const start = performance.now();
  const weights = weightMap(labels);
  const seconds = (performance.now() - start) / 1000;
  assert.equal(weights.data.length, 1000 * 1000);
  assert.ok(seconds < 2, `${seconds.toFixed(2)} s`);
});
