import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { elasticStep, randomControlDisplacements } from '../../src/image/elastic.js';
import { composeField, offsetStep, TransformChain, type SamplingField } from '../../src/image/geometry.js';
import { readRgb } from '../../src/image/io.js';
import { createRaster, type Raster } from '../../src/image/raster.js';
import { sampleBilinear, sampleNearest } from '../../src/image/sampling.js';
import { consepDir, consepSkipReason, pythonSkipReason } from '../support/env.js';
import { assertArraysClose, golden, seededRandom } from './golden.js';

const skipPython = pythonSkipReason('skimage', 'scipy');
const skipConsep = skipPython || consepSkipReason();

function ramp(width: number, height: number, channels = 1): Raster<Int32Array> {
  return createRaster(Int32Array.from({ length: width * height * channels }, (_, i) => i), width, height, channels);
}

function pointField(sourceWidth: number, sourceHeight: number, x: number[], y: number[]): SamplingField {
  return { width: x.length, height: 1, sourceWidth, sourceHeight, x: Float64Array.from(x), y: Float64Array.from(y) };
}

test('flips, crops, padding, 90° rotation and integer upscaling move pixels exactly', () => {
  const image = ramp(5, 4, 2);
  assert.deepEqual([...sampleNearest(image, new TransformChain(5, 4).field()).data], [...image.data]);
  assert.deepEqual([...sampleBilinear(image, new TransformChain(5, 4).flip(true).flip(true).field()).data], [...image.data]);
  const flipped = sampleNearest(ramp(3, 2), new TransformChain(3, 2).flip(true).field());
  assert.deepEqual([...flipped.data], [2, 1, 0, 5, 4, 3]);
  assert.deepEqual([...sampleNearest(ramp(3, 2), new TransformChain(3, 2).flip(false).field()).data], [3, 4, 5, 0, 1, 2]);
  assert.deepEqual([...sampleNearest(ramp(4, 3), new TransformChain(4, 3).crop(1, 1, 2, 2).field()).data], [5, 6, 9, 10]);
  assert.deepEqual([...sampleNearest(ramp(2, 1), new TransformChain(2, 1).pad(4, 2, 1, 1).field(), -1).data], [-1, -1, -1, -1, -1, 0, 1, -1]);
  // numpy.rot90: out[y][x] = in[x][W - 1 - y]
  assert.deepEqual([...sampleNearest(ramp(3, 3), new TransformChain(3, 3).rotate(90).field()).data], [2, 5, 8, 1, 4, 7, 0, 3, 6]);
  assert.deepEqual([...sampleNearest(ramp(2, 1), new TransformChain(2, 1).resize(4, 2).field()).data], [0, 0, 1, 1, 0, 0, 1, 1]);
});

test('the affine step keeps the centre; rotation corners fall outside and take the fill value', () => {
  const field = new TransformChain(9, 7).affine([1.3, -0.3, 0.2, 0.7]).field();
  assert.deepEqual([field.x[3 * 9 + 4], field.y[3 * 9 + 4]], [4, 3]);
  const rotated = sampleBilinear(createRaster(new Uint8Array(100).fill(200), 10, 10), new TransformChain(10, 10).rotate(45).field(), 7);
  assert.equal(rotated.data[0], 7);
  assert.equal(rotated.data[55], 200);
  assert.throws(() => composeField([offsetStep(4, 4, 3, 3, 0, 0), offsetStep(4, 4, 2, 2, 0, 0)]), /step 1 reads 4×4 but step 0 makes 3×3/);
  assert.throws(() => sampleNearest(ramp(3, 3), field), /samples a 9×7 image, got 3×3/);
});

test('the elastic step is a cubic B-spline over a 9×9 control grid (σ from the random source)', () => {
  const zero = { meshSize: 6, x: new Float64Array(81), y: new Float64Array(81) };
  const x = Float64Array.from([0, 17.25, 59]);
  const y = Float64Array.from([0, 33.5, 59]);
  elasticStep(60, 60, zero).mapToInput(x, y);
  assert.deepEqual([...x, ...y], [0, 17.25, 59, 0, 33.5, 59]);

  // One control point (row 4, column 4) sits at pixel (29.5, 29.5) of a 60×60 image (spacing 10,
  // grid origin −10.5); the B-spline weight there is (4/6)², one node further (1/6)(4/6).
  const single = { meshSize: 6, x: new Float64Array(81), y: new Float64Array(81) };
  single.x[4 * 9 + 4] = 3;
  single.y[4 * 9 + 4] = -6;
  const px = Float64Array.from([29.5, 39.5, 59.5]);
  const py = Float64Array.from([29.5, 29.5, 29.5]);
  elasticStep(60, 60, single).mapToInput(px, py);
  assertArraysClose([...px, ...py], [29.5 + 3 * 16 / 36, 39.5 + 3 * 4 / 36, 59.5, 29.5 - 6 * 16 / 36, 29.5 - 6 * 4 / 36, 29.5], 1e-12, 'single node');

  const a = randomControlDisplacements(seededRandom(7), { zeroFirstThird: true });
  const b = randomControlDisplacements(seededRandom(7), { zeroFirstThird: true });
  assert.deepEqual([...a.x, ...a.y], [...b.x, ...b.y]);
  assert.ok(a.x.subarray(0, 54).every((v) => v === 0) && a.x.subarray(54).every((v) => v !== 0) && a.y.every((v) => v !== 0));
  const many = randomControlDisplacements(seededRandom(8), { meshSize: 60 });
  const values = [...many.x, ...many.y];
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  assert.ok(Math.abs(mean) < 0.5 && Math.abs(std - 15) < 0.5, `mean ${mean}, std ${std}`);
});

function checkAgainstScipy(image: Raster, field: SamplingField, what: string): void {
  const inside = [...field.x.keys()].filter((i) => !Number.isNaN(field.x[i]));
  const rows = inside.map((i) => field.y[i]);
  const cols = inside.map((i) => field.x[i]);
  const [[bilinear], [nearest]] = golden([
    { op: 'map_coordinates', input: image, params: { rows, cols, order: 1 } },
    { op: 'map_coordinates', input: image, params: { rows, cols, order: 0 } },
  ]);
  const channels = image.channels;
  const gather = (data: ArrayLike<number>) => inside.flatMap((i) => Array.from({ length: channels }, (_, c) => data[i * channels + c]));
  assertArraysClose(gather(sampleBilinear(image, field, -1).data), bilinear, 1e-4, `${what} bilinear`);
  assertArraysClose(gather(sampleNearest(image, field, 0).data), nearest, 0, `${what} nearest`);
  const outside = [...field.x.keys()].filter((i) => Number.isNaN(field.x[i]));
  const filled = sampleBilinear(image, field, -1).data;
  assert.ok(outside.every((i) => filled[i * channels] === -1), `${what}: outside pixels take the fill value`);
}

test('bilinear and nearest sampling match scipy map_coordinates at random points', { skip: skipPython }, () => {
  const random = seededRandom(41);
  const image = createRaster(Float64Array.from({ length: 37 * 29 * 3 }, () => random() * 255), 37, 29, 3);
  const n = 5000;
  const field = pointField(37, 29, Array.from({ length: n }, () => random() * 37 - 0.5), Array.from({ length: n }, () => random() * 29 - 0.5));
  checkAgainstScipy(image, field, 'random points');
});

test('a composed augmentation field samples a CoNSeP image as scipy does', { skip: skipConsep }, async () => {
  const full = await readRgb(join(consepDir, 'images', 'train_3.png'));
  const patch = sampleNearest(full, new TransformChain(1000, 1000).crop(250, 500, 250, 250).field());
  const random = seededRandom(42);
  const chain = new TransformChain(250, 250).resize(300, 300).flip(true).affine([1.2, 0.25, -0.1, 0.8]);
  chain.elastic(randomControlDisplacements(random)).rotate(-37).crop(40, 30, 224, 224);
  checkAgainstScipy(patch, chain.field(), 'augmentation');
  const shrunk = new TransformChain(250, 250).resize(200, 200).pad(250, 250, 25, 25).rotate(80).crop(13, 2, 224, 224);
  checkAgainstScipy(patch, shrunk.field(), 'shrunk and padded');
});
