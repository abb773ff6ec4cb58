// An abort (what Ctrl-C and SIGTERM trigger) stops training within a step even while the loader is
// ahead of the steps. Then each batch's worker reply is already queued when a step ends, Node's
// message port delivers them one after another (up to 1000) without turning the event loop, and
// without the trainer's yield no timer, signal handler or abort would run until the epoch ended.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { writeSyntheticDataset } from '../../src/data/synthetic.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { resolveConfig } from '../../src/train/config.js';
import { train, type TrainingState } from '../../src/train/trainer.js';

const dir = mkdtempSync(join(tmpdir(), 'histonuc-abort-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an abort during an epoch whose batches are ready ahead stops after the step in progress, and the run resumes', async () => {
  const data = join(dir, 'data');
  // Two 1000² tiles: 32 patches, 16 batches of 2. ResUNet34 steps are far slower than making a 64² crop.
  await writeSyntheticDataset(data, { count: 3, width: 1000, height: 1000, seed: 5, valFraction: 0.34, testFraction: 0 });
  const config = resolveConfig({
    data, out: join(dir, 'run'), model: 'resunet34', epochs: 1, batchSize: 2, cropSize: 64, perceptualWeight: 0,
    precision: 'fp32', threads: 1, workers: 1, valTile: 256, valOverlap: 0,
  });
  const controller = new AbortController();
  const started = performance.now();
  let abortedAt = 0;
  const result = await train(config, {
    signal: controller.signal,
    log: (line) => {
      if (!line.startsWith('training ')) return;
      setTimeout(() => {
        abortedAt = performance.now() - started;
        controller.abort();
      }, 1500);
    },
  });
  const state = loadCheckpoint(join(config.out, 'last.safetensors')).header.training as TrainingState;
  assert.equal(result.stopped, true, 'the run finished its epoch: the abort came too late');
  assert.equal(result.completedEpochs, 0);
  assert.ok(abortedAt > 0, 'the abort timer never ran');
  assert.ok(state.batch >= 1 && state.batch < 16, `stopped after batch ${state.batch} of 16`);

  // Stopped in the first epoch, before any best score: the saved state resumes (its -Infinity is null in JSON).
  const lines: string[] = [];
  const resumed = await train(config, { resume: true, log: (line) => lines.push(line) });
  assert.deepEqual([resumed.stopped, resumed.completedEpochs, resumed.bestEpoch], [false, 1, 1]);
  assert.ok(lines.includes(`resuming at epoch 1, batch ${state.batch + 1} (no best epoch yet)`), lines.join('\n'));
});
