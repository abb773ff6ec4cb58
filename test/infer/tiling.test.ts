// The sliding window's tile plans: the reference plan follows §10.2 and §14; the fitted plan covers
// any image with the fewest tiles of at most the given size, and both give the same probabilities
// where the network's output at a pixel depends on that pixel alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Conv2d, manualSeed, randn, type Layer, type Tensor } from '../../src/engine/index.js';
import { slidingWindowProbabilities } from '../../src/infer/sliding-window.js';
import { fitAxis, planAxis, planTiles, TILE_MULTIPLE, type AxisPlan } from '../../src/infer/tiling.js';

test('the reference plan follows §10.2 (§14 vectors)', () => {
  assert.deepEqual(planAxis(900, 224, 80), {
    size: 224,
    padded: 944,
    starts: [0, 144, 288, 432, 576, 720],
    kept: [[0, 184], [184, 328], [328, 472], [472, 616], [616, 760], [760, 944]],
  });
  assert.equal(planAxis(368, 224, 80).padded, 512, 'a whole extra stride when (H − 224) is a multiple of 144 (§13.18)');
  assert.deepEqual(planAxis(100, 224, 80), { size: 224, padded: 224, starts: [0], kept: [[0, 224]] });
  assert.throws(() => planAxis(500, 224, 81), /overlap must be even/);
});

function assertCovers(plan: AxisPlan, length: number, maxSize: number, overlap: number): void {
  const where = `length ${length}, tile ≤ ${maxSize}, overlap ${overlap}`;
  assert.ok(plan.size <= maxSize && plan.size % TILE_MULTIPLE === 0, `${where}: tile ${plan.size}`);
  assert.ok(plan.padded >= length && plan.padded - length < plan.size, `${where}: padded ${plan.padded}`);
  assert.equal(plan.starts.at(-1)! + plan.size, plan.padded, `${where}: the last tile ends at the padding`);
  plan.starts.forEach((start, i) => {
    if (i > 0) assert.equal(start - plan.starts[i - 1]!, plan.size - overlap, `${where}: stride`);
    const [from, to] = plan.kept[i]!;
    assert.equal(from, i === 0 ? 0 : plan.kept[i - 1]![1], `${where}: kept regions are contiguous`);
    assert.ok(from >= start && to <= start + plan.size, `${where}: a tile writes inside itself`);
  });
  assert.equal(plan.kept.at(-1)![1], plan.padded);
  // No fewer tiles of at most maxSize could cover the length with this overlap.
  const fewest = length <= maxSize ? 1 : Math.ceil((length - overlap) / (maxSize - overlap));
  assert.equal(plan.starts.length, fewest, `${where}: tile count`);
}

test('the fitted plan covers any length with the fewest tiles, each shrunk to a multiple of 32', () => {
  assert.deepEqual(fitAxis(1000, 1024, 80), { size: 1024, padded: 1024, starts: [0], kept: [[0, 1024]] });
  assert.deepEqual(fitAxis(2000, 1024, 80), { size: 736, padded: 2048, starts: [0, 656, 1312], kept: [[0, 696], [696, 1352], [1352, 2048]] });
  assert.deepEqual(fitAxis(1000, 224, 80), planAxis(1000, 224, 80), 'with the paper\'s tile it is the paper\'s plan');
  for (const [maxSize, overlap] of [[1024, 80], [224, 80], [512, 0], [96, 64]] as const) {
    for (let length = 1; length <= 3000; length += 37) assertCovers(fitAxis(length, maxSize, overlap), length, maxSize, overlap);
  }
  assert.throws(() => fitAxis(500, 1000, 80), /not a multiple of 32/);
});

test('fitted and reference windows give the same probabilities for a per-pixel network, rectangular tiles included', () => {
  manualSeed(3);
  const network: Layer = new Conv2d(3, 5, 1).eval();
  const image = randn([1, 3, 300, 700]);
  const fitted = planTiles(300, 700, 256, 64, 'fitted');
  assert.notEqual(fitted.tileHeight, fitted.tileWidth, 'the plan should hold non-square tiles');
  const run = (options: Parameters<typeof slidingWindowProbabilities>[2]): Tensor => slidingWindowProbabilities(network, image, options);
  for (const stitching of ['cut', 'blend'] as const) {
    const reference = run({ tile: 224, overlap: 80, tiling: 'reference', stitching });
    const ours = run({ tile: 256, overlap: 64, tiling: 'fitted', stitching });
    assert.deepEqual(ours.shape, [5, 300, 700]);
    assert.ok(ours.sub(reference).abs().amax().item() < 1e-6, `${stitching}: fitted and reference windows differ`);
  }
});
