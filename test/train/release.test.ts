// `histonuc model release`: a run's checkpoint becomes a float16 model with its training record and
// validation metrics in the header, which predict uses like any checkpoint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

import { randn, readSafetensors, scope } from '../../src/engine/index.js';
import { writeSyntheticDataset } from '../../src/data/synthetic.js';
import { loadCheckpoint, modelFromCheckpoint } from '../../src/train/checkpoint.js';
import { repoRoot } from '../support/env.js';

const cli = resolve(repoRoot, 'dist', 'src', 'cli', 'main.js');
let dir = '';

function histonuc(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'histonuc-release-'));
  await writeSyntheticDataset(join(dir, 'data'), { count: 4, width: 128, height: 128, seed: 5, valFraction: 0.25, testFraction: 0 });
  const trained = histonuc('train', '--data', join(dir, 'data'), '--out', join(dir, 'run'), '--model', 'unet', '--epochs', '1',
    '--batch-size', '2', '--crop-size', '64', '--perceptual-weight', '0', '--precision', 'fp32', '--threads', '1', '--workers', '0');
  assert.equal(trained.status, 0, trained.stderr);
  const predicted = histonuc('predict', '--model', join(dir, 'run', 'best.safetensors'), '--formats', 'labels-png', '--out', join(dir, 'pred'),
    join(dir, 'data', 'images', 'synthetic_4.png'));
  assert.equal(predicted.status, 0, predicted.stderr);
  const gt = join(dir, 'gt');
  mkdirSync(gt, { recursive: true });
  writeFileSync(join(gt, 'synthetic_4_label.png'), readFileSync(join(dir, 'data', 'labels', 'synthetic_4_label.png')));
  const evaluated = histonuc('evaluate', '--pred', join(dir, 'pred'), '--gt', gt, '--json', join(dir, 'evaluation.json'));
  assert.equal(evaluated.status, 0, evaluated.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('a released model holds float16 weights, no optimizer state, and its training record and metrics', () => {
  const out = join(dir, 'model.safetensors');
  const released = histonuc('model', 'release', '--checkpoint', join(dir, 'run', 'best.safetensors'), '--out', out,
    '--evaluation', join(dir, 'evaluation.json'), '--notes', 'test model');
  assert.equal(released.status, 0, released.stderr);
  const { tensors, metadata } = readSafetensors(out);
  const floating = [...tensors.values()].filter((t) => t.dtype !== 'int64');
  assert.ok(floating.length > 0);
  for (const tensor of floating) assert.equal(tensor.dtype, 'float16');
  assert.ok([...tensors.keys()].every((name) => name.startsWith('model.')), 'only model tensors are shipped');
  const header = JSON.parse(metadata.histonuc!) as { training?: unknown; release: { config: { model: string }; epoch: number; notes: string; validation: Record<string, number> } };
  assert.equal(header.training, undefined, 'a released model cannot be resumed as a run');
  assert.equal(header.release.config.model, 'unet');
  assert.equal(header.release.epoch, 1);
  assert.equal(header.release.notes, 'test model');
  const evaluation = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8')) as { summary: { paper: { table1: { all: { f1: number } } } } };
  assert.equal(header.release.validation.f1, evaluation.summary.paper.table1.all.f1);

  const original = loadCheckpoint(join(dir, 'run', 'best.safetensors'));
  const shipped = loadCheckpoint(out);
  scope(() => {
    const input = randn([1, 3, 64, 64]);
    const expected = modelFromCheckpoint(original, 'original').forward(input);
    const actual = modelFromCheckpoint(shipped, 'shipped').forward(input);
    const error = actual.sub(expected).abs().amax().item() / Math.max(1e-6, expected.abs().amax().item());
    assert.ok(error < 2e-2, `float16 weights change the logits by ${error} (relative)`);
  });
});

test('releasing a released model or using a file that is not an evaluation report fails with a clear message', () => {
  const out = join(dir, 'model.safetensors');
  const again = histonuc('model', 'release', '--checkpoint', out, '--out', join(dir, 'again.safetensors'));
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /holds no training record/);
  writeFileSync(join(dir, 'not-a-report.json'), '{"hello": 1}');
  const wrong = histonuc('model', 'release', '--checkpoint', join(dir, 'run', 'best.safetensors'), '--out', join(dir, 'x.safetensors'),
    '--evaluation', join(dir, 'not-a-report.json'));
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /not-a-report\.json: not a `histonuc evaluate` report/);
});
