import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BatchLoader, batchTensors } from '../../src/data/loader.js';
import type { Batch } from '../../src/data/batch.js';
import { generateSyntheticTile } from '../../src/data/synthetic.js';
import { prepareTrainingSet } from '../../src/data/training-set.js';

const set = prepareTrainingSet([1, 2].map((seed) => ({ name: `t${seed}`, ...generateSyntheticTile(256, 256, seed) })));

async function collect(workers: number, seed: number, epoch: number, limit = 3): Promise<Batch[]> {
  const loader = new BatchLoader(set, { batchSize: 4, seed, workers, prefetch: 2 });
  const batches: Batch[] = [];
  try {
    for await (const batch of loader.epoch(epoch)) {
      batches.push(batch);
      if (batches.length === limit) break;
    }
  } finally {
    await loader.close();
  }
  return batches;
}

test('batches are the same on worker threads and on the main thread, and differ by seed and epoch', async () => {
  const inline = await collect(0, 9, 0);
  const threaded = await collect(2, 9, 0);
  assert.equal(threaded.length, 3);
  for (let k = 0; k < 3; k++) {
    assert.equal(threaded[k].index, k);
    assert.deepEqual(threaded[k].images, inline[k].images);
    assert.deepEqual(threaded[k].targets, inline[k].targets);
    assert.deepEqual(threaded[k].weights, inline[k].weights);
  }
  const otherSeed = await collect(0, 10, 0, 1);
  const otherEpoch = await collect(0, 9, 1, 1);
  assert.notDeepEqual(otherSeed[0].images, inline[0].images);
  assert.notDeepEqual(otherEpoch[0].images, inline[0].images);
});

test('an epoch covers every patch once, in full batches', async () => {
  const loader = new BatchLoader(set, { batchSize: 5, seed: 1, workers: 0 });
  assert.equal(loader.batchesPerEpoch, Math.floor(set.patches.length / 5));
  let count = 0;
  for await (const batch of loader.epoch(3)) count += batch.size;
  assert.equal(count, 5 * loader.batchesPerEpoch);
  await loader.close();
});

test('an epoch started at a later batch (a resumed run) gives the same batches from there, and refuses a batch outside the epoch', async () => {
  const loader = new BatchLoader(set, { batchSize: 4, seed: 9, workers: 1 });
  try {
    const whole: Batch[] = [];
    for await (const batch of loader.epoch(2)) whole.push(batch);
    const rest: Batch[] = [];
    for await (const batch of loader.epoch(2, 3)) rest.push(batch);
    assert.deepEqual(rest.map((b) => b.index), whole.slice(3).map((b) => b.index));
    for (const [k, batch] of rest.entries()) assert.deepEqual(batch.images, whole[k + 3].images, `batch ${batch.index}`);
    for await (const batch of loader.epoch(2, loader.batchesPerEpoch)) assert.fail(`an epoch started at its end gave batch ${batch.index}`);
    for (const from of [-1, 1.5, loader.batchesPerEpoch + 1]) {
      await assert.rejects(loader.epoch(2, from).next(), new RegExp(`first batch must be an integer from 0 to ${loader.batchesPerEpoch}, got ${from}`));
    }
  } finally {
    await loader.close();
  }
});

test('batches become engine tensors of the documented shapes and types', async () => {
  const [batch] = await collect(0, 1, 0, 1);
  const { images, targets, weights } = batchTensors(batch);
  assert.deepEqual(images.shape, [4, 3, 224, 224]);
  assert.equal(images.dtype, 'float32');
  assert.deepEqual(targets.shape, [4, 224, 224]);
  assert.equal(targets.dtype, 'int64');
  assert.deepEqual(weights.shape, [4, 224, 224]);
  assert.deepEqual(targets.toTypedArray(), batch.targets);
  assert.deepEqual(images.toTypedArray(), batch.images);
  assert.deepEqual(weights.toTypedArray(), batch.weights);
  for (const t of [images, targets, weights]) t.dispose();
});

test('closing the loader at top level after leaving an epoch early lets the process finish (no exit 13)', () => {
  // While a synchronous step runs, the worker finishes the batch made ahead; its reply is handled
  // only after close() has begun, and must not unref the worker that close() is waiting for.
  const module = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    import { BatchLoader } from ${module('../../src/data/loader.js')};
    import { generateSyntheticTile } from ${module('../../src/data/synthetic.js')};
    import { prepareTrainingSet } from ${module('../../src/data/training-set.js')};
    const set = prepareTrainingSet([{ name: 't', ...generateSyntheticTile(256, 256, 1) }]);
    const loader = new BatchLoader(set, { batchSize: 2, seed: 1, workers: 1 });
    for await (const batch of loader.epoch(0)) break;
    const start = performance.now();
    while (performance.now() - start < 500); // a training step
    await loader.close();
    console.log('closed');`;
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-loader-'));
  try {
    // A file rather than --input-type=module -e: the loader's worker would inherit that flag.
    const file = join(dir, 'close.mjs');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `exit ${run.status}: ${run.stderr}`);
    assert.match(run.stdout, /closed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
