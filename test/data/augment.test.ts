import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REFERENCE_AUGMENTATION, augmentPatch, type AugmentationOptions } from '../../src/data/augment.js';
import { imagePatches, patchStarts } from '../../src/data/patches.js';
import { Random } from '../../src/data/random.js';
import { generateSyntheticTile } from '../../src/data/synthetic.js';
import { withContourRing } from '../../src/data/targets.js';
import { prepareTrainingSet } from '../../src/data/training-set.js';
import { createRaster } from '../../src/image/raster.js';

const tile = { name: 'tile', ...generateSyntheticTile(300, 280, 11) };
const set = prepareTrainingSet([tile]);
const source = set.sources[0];

const identity: AugmentationOptions = {
  ...REFERENCE_AUGMENTATION, cropSize: 250, scaleRange: [1, 1], flips: false, affineBound: 0, elasticSigma: 0, rotationDegrees: 0,
};

function cropOf(data: ArrayLike<number>, width: number, channels: number, left: number, top: number, size: number): number[] {
  const out: number[] = [];
  for (let y = top; y < top + size; y++) for (let x = left; x < left + size; x++) for (let c = 0; c < channels; c++) out.push(data[(y * width + x) * channels + c]);
  return out;
}

test('patch starts follow REFERENCE_SPEC §5 and §14', () => {
  assert.deepEqual(patchStarts(900), [0, 216, 432, 648]);
  assert.deepEqual(patchStarts(1000), [0, 250, 500, 750]);
  assert.deepEqual(patchStarts(760), [0, 170, 340, 510]);
  assert.deepEqual(patchStarts(240), [0]);
  assert.deepEqual(patchStarts(251), [0, 1]);
  const patches = imagePatches(3, 1000, 900);
  assert.equal(patches.length, 16);
  assert.deepEqual(patches[5], { image: 3, left: 250, top: 216, width: 250, height: 250 });
});

test('with every draw neutral, a sample is its patch exactly', () => {
  const patch = set.patches[5];
  const sample = augmentPatch(source, patch, new Random(1), identity);
  assert.deepEqual([...sample.image.data], cropOf(tile.image.data, 300, 3, patch.left, patch.top, 250));
  assert.deepEqual([...sample.weights.data], cropOf(source.weights.data, 300, 1, patch.left, patch.top, 250));
  const interiors = createRaster(Uint8Array.from(cropOf(source.interiors.data, 300, 1, patch.left, patch.top, 250)), 250, 250);
  assert.deepEqual(sample.target.data, withContourRing(interiors).data);
});

test('flips alone mirror the patch', () => {
  const patch = set.patches[0];
  const original = augmentPatch(source, patch, new Random(1), identity).image.data;
  const mirror = (horizontal: boolean, vertical: boolean): number[] =>
    Array.from({ length: original.length }, (_, i) => {
      const p = Math.floor(i / 3);
      const x = horizontal ? 249 - (p % 250) : p % 250;
      const y = vertical ? 249 - Math.floor(p / 250) : Math.floor(p / 250);
      return original[3 * (y * 250 + x) + (i % 3)];
    });
  const variants = [mirror(false, false), mirror(true, false), mirror(false, true), mirror(true, true)];
  const seen = new Set<number>();
  for (let seed = 0; seed < 8; seed++) {
    const image = [...augmentPatch(source, patch, new Random(seed), { ...identity, flips: true }).image.data];
    const variant = variants.findIndex((candidate) => candidate.every((v, i) => v === image[i]));
    assert.ok(variant >= 0, `seed ${seed}: not a mirror image of the patch`);
    seen.add(variant);
  }
  assert.ok(seen.size >= 3, `${seen.size} of the 4 flip combinations in 8 draws`);
});

test('reference augmentation: 224² samples, classes 0–4, fill has weight 0, reproducible per seed', () => {
  let filled = 0;
  const classes = new Set<number>();
  for (let seed = 0; seed < 12; seed++) {
    const sample = augmentPatch(source, set.patches[seed % set.patches.length], new Random(seed));
    assert.equal(sample.image.width, 224);
    assert.equal(sample.target.data.length, 224 * 224);
    for (let p = 0; p < 224 * 224; p++) {
      classes.add(sample.target.data[p]);
      const weight = sample.weights.data[p];
      if (weight === 0) {
        filled++;
        assert.ok(sample.target.data[p] === 0 || sample.target.data[p] === 4, 'filled pixels are background or the ring of an interior');
      } else {
        assert.ok(weight >= 1 && weight <= 11);
      }
    }
  }
  assert.deepEqual([...classes].sort(), [0, 1, 2, 3, 4]);
  assert.ok(filled > 0, 'rotations and shrinking leave filled corners');
  const a = augmentPatch(source, set.patches[2], new Random(5, 0, 7));
  const b = augmentPatch(source, set.patches[2], new Random(5, 0, 7));
  assert.deepEqual(a.image.data, b.image.data);
  assert.notDeepEqual(a.image.data, augmentPatch(source, set.patches[2], new Random(5, 0, 8)).image.data);
});

test('input normalisation statistics are pooled over the training images', () => {
  const { mean, std } = set.normalisation;
  const values = tile.image.data;
  const n = values.length / 3;
  const red = Array.from({ length: n }, (_, p) => values[3 * p]);
  const m = red.reduce((a, b) => a + b, 0) / n;
  const s = Math.sqrt(red.reduce((a, b) => a + b * b, 0) / n - m * m);
  assert.ok(Math.abs(mean[0] - m / 255) < 1e-9);
  assert.ok(Math.abs(std[0] - s / 255) < 1e-9);
});

test('the preview grid shows image, target and weights side by side for each sample', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { writePreview } = await import('../../src/data/preview.js');
  const { writeSyntheticDataset } = await import('../../src/data/synthetic.js');
  const { readRgb } = await import('../../src/image/io.js');
  const root = mkdtempSync(join(tmpdir(), 'histonuc-preview-'));
  try {
    await writeSyntheticDataset(join(root, 'set'), { count: 3, width: 256, height: 256, seed: 2 });
    await writePreview(join(root, 'set'), join(root, 'preview.png'), { samples: 2, seed: 4 });
    const grid = await readRgb(join(root, 'preview.png'));
    assert.equal(grid.width, 3 * 224 + 16);
    assert.equal(grid.height, 2 * 228 + 4);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
