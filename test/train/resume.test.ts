// Training survives interruption: kill -9 mid-epoch or Ctrl-C, then --resume, finishes with exactly
// the weights of an uninterrupted run, and no checkpoint is ever unreadable.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

import { writeSyntheticDataset } from '../../src/data/synthetic.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { repoRoot } from '../support/env.js';

const cli = resolve(repoRoot, 'dist', 'src', 'cli', 'main.js');
let dir = '';
let data = '';

function trainArgs(out: string, resume = false): string[] {
  return [cli, 'train', '--data', data, '--out', out, '--model', 'unet', '--epochs', '2', '--batch-size', '4', '--crop-size', '64',
    '--perceptual-weight', '0.1', '--precision', 'fp32', '--threads', '1', '--workers', '1', '--keep-every', '1',
    '--model-options', '{"dropout":0.5}', ...(resume ? ['--resume'] : [])];
}

function finalWeights(out: string): Map<string, Float32Array> {
  const { modelState } = loadCheckpoint(join(out, 'last.safetensors'));
  return new Map([...modelState].map(([name, t]) => [name, t.toFloat32Array()]));
}

function assertSameWeights(actual: Map<string, Float32Array>, expected: Map<string, Float32Array>): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [name, values] of expected) assert.deepEqual(actual.get(name), values, `${name} differs from the uninterrupted run`);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 120_000, pollMs = 50): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function epochsLogged(out: string): number {
  const path = join(out, 'log.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').length : 0;
}

function trainLosses(out: string): unknown[] {
  return readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { train: unknown }).train);
}

let reference = new Map<string, Float32Array>();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'histonuc-resume-'));
  data = join(dir, 'data');
  await writeSyntheticDataset(data, { count: 5, width: 256, height: 256, seed: 3, valFraction: 0.2, testFraction: 0 });
  const run = spawnSync(process.execPath, trainArgs(join(dir, 'reference')), { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  reference = finalWeights(join(dir, 'reference'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('kill -9 during the second epoch, then --resume: the same weights as an uninterrupted run', async () => {
  const out = join(dir, 'killed');
  const child = spawn(process.execPath, trainArgs(out), { stdio: 'ignore' });
  await waitFor(() => epochsLogged(out) >= 1 && existsSync(join(out, 'epoch-1.safetensors')), 'the first epoch');
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal(epochsLogged(out) < 2 || existsSync(join(out, 'epoch-2.safetensors')), true);
  loadCheckpoint(join(out, 'last.safetensors'));
  const resumed = spawnSync(process.execPath, trainArgs(out, true), { encoding: 'utf8' });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(epochsLogged(out), 2);
  assertSameWeights(finalWeights(out), reference);
});

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} saves the state mid-epoch and --resume continues exactly`, async () => {
    const out = join(dir, `interrupted-${signal}`);
    const child = spawn(process.execPath, trainArgs(out), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The second epoch starts as soon as the first is logged; interrupt it at once, as it is short.
    await waitFor(() => epochsLogged(out) >= 1, 'the first epoch', 120_000, 5);
    child.kill(signal);
    assert.equal(await new Promise((r) => child.once('exit', r)), code, stderr);
    assert.match(stderr, new RegExp(`interrupted \\(${signal}\\)[^]*the state is saved: run again with --resume`));
    const resumed = spawnSync(process.execPath, trainArgs(out, true), { encoding: 'utf8' });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming at epoch 2, batch \d+/);
    assert.ok(epochsLogged(out) === 2);
    assertSameWeights(finalWeights(out), reference);
    // The interrupted epoch's record covers all its batches, as the uninterrupted run's does.
    assert.deepEqual(trainLosses(out), trainLosses(join(dir, 'reference')));
  });
}

test('a perceptual loss on a VGG16 with random weights is pointed out before training', () => {
  for (const [weight, noted] of [['0.1', true], ['0', false]] as const) {
    const run = spawnSync(process.execPath, [cli, 'train', '--data', join(dir, 'missing'), '--out', join(dir, 'never'), '--perceptual-weight', weight], { encoding: 'utf8' });
    assert.notEqual(run.status, 0);
    assert.equal(/note: the perceptual loss runs on a VGG16 with random weights/.test(run.stderr), noted, run.stderr);
  }
});

test('a second run into the same folder without --resume is refused', () => {
  const run = spawnSync(process.execPath, trainArgs(join(dir, 'reference')), { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /already holds a training run; use --resume/);
});
