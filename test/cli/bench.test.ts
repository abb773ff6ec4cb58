// `histonuc bench`, briefly (tiny sizes): the tables it prints and the JSON it gives, and the groups
// it measures: every encoder stage and decoder block, the head, the loss, backward and optimizer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

import { repoRoot } from '../support/env.js';

const cli = resolve(repoRoot, 'dist', 'src', 'cli', 'main.js');
const tiny = ['--threads', '1', '--batch', '1', '--crop', '64', '--size', '64', '--steps', '1', '--warmup', '0', '--precision', 'bf16'];

function bench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, 'bench', ...tiny, ...args], { encoding: 'utf8' });
}

test('histonuc bench --json: peak, training groups with their work, inference groups', () => {
  const run = bench('--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    peakGflops: { bf16: number; fp32: number };
    train: { patchesPerSecond: number; groups: { group: string; ms: number; flop: number; gflops: number | null; ofPeak: number | null }[] };
    infer: { ms: number; groups: { group: string; ms: number; flop: number }[] };
  };
  assert.ok(report.peakGflops.bf16 > 0 && report.peakGflops.fp32 > 0);
  const names = report.train.groups.map((g) => g.group);
  for (const expected of ['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'u5', 'u6', 'u7', 'u8', 'head', 'perceptual VGG16', 'loss: cross-entropy', 'backward', 'optimizer']) {
    assert.ok(names.some((name) => name.includes(expected)), `no training group '${expected}' in ${names.join(', ')}`);
  }
  for (const g of report.train.groups) assert.ok(g.ms >= 0 || g.group.includes('other'), `${g.group}: ${g.ms} ms`);
  // Convolution work as counted: layer1 = 3 BasicBlocks of two 3×3 64→64 convolutions at 16×16 (a 64² crop).
  const layer1 = report.train.groups.find((g) => g.group.includes('layer1'))!;
  assert.equal(layer1.flop, 6 * 2 * 16 * 16 * 64 * 64 * 9);
  const head = report.train.groups.find((g) => g.group.includes('head'))!;
  assert.equal(head.flop, 2 * 32 * 32 * 64 * 5 * 4);
  assert.ok(report.train.patchesPerSecond > 0);
  assert.ok(report.infer.groups.length >= 10 && report.infer.ms > 0);
});

test('histonuc bench prints the machine, the peak and one table per part', () => {
  const run = bench('--no-perceptual');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(lines[0]!, /^histonuc bench: .*libtorch threads; bfloat16 in hardware: (yes|no), AMX: (yes|no)$/);
  assert.match(lines[1]!, /^convolution peak .* bf16 [\d.]+ GFLOP\/s, fp32 [\d.]+ GFLOP\/s$/);
  assert.ok(lines.some((l) => /^training step: ResUNet34, batch 1, 64×64, bf16, cross-entropy only/.test(l)));
  assert.ok(lines.some((l) => /^inference: ResUNet34 .* 1×3×64×64/.test(l)));
  assert.equal(lines.filter((l) => l === '| group | ms | share | GFLOP | GFLOP/s | of bf16 peak |').length, 2);
  assert.equal(lines.filter((l) => l.startsWith('| **total** |')).length, 2);
  assert.ok(!lines.some((l) => l.includes('perceptual VGG16')));
});

test('histonuc bench refuses sizes that are not multiples of 32', () => {
  const run = spawnSync(process.execPath, [cli, 'bench', '--crop', '100'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--crop must be a multiple of 32/);
});
