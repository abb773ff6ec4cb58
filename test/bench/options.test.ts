// The benchmark scripts' command lines: a wrong option is a usage message and exit status 2 (not a
// stack trace), --help lists the options. The scripts stop before any benchmark work in both cases.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

import { repoRoot } from '../support/env.js';

const SCRIPTS = ['train/step', 'engine/train-step', 'infer/forward-1000', 'predict/predict-benchmark', 'data/augment-throughput', 'train/perceptual-gradient'];

function script(name: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [resolve(repoRoot, 'dist', 'bench', `${name}.js`), ...args], { encoding: 'utf8', timeout: 60_000 });
}

for (const name of SCRIPTS) {
  test(`bench/${name}: an unknown option is a usage error; --help lists the options`, () => {
    const wrong = script(name, '--no-such-option');
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.match(wrong.stderr, /^unknown option --no-such-option\nusage: node dist\/bench\//);
    assert.doesNotMatch(wrong.stderr, /\n\s+at /, 'a stack trace');
    const help = script(name, '--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: .*\n\nOptions:\n {2}--/);
  });
}

test('bench values are checked: a bad number and an unknown precision or variant', () => {
  const cases: [string, string[], RegExp][] = [
    ['infer/forward-1000', ['--size', '16'], /--size must be an integer ≥ 32, got '16'/],
    ['train/step', ['--precisions', 'bf16,fp16'], /--precisions takes bf16 and fp32, got 'fp16'/],
    ['predict/predict-benchmark', ['--variants', 'fp64'], /unknown Python variant 'fp64'/],
    ['predict/predict-benchmark', ['--tiling', 'tiny'], /--tiling must be fitted or reference, got 'tiny'/],
  ];
  for (const [name, args, message] of cases) {
    const run = script(name, ...args);
    assert.equal(run.status, 2, `${name} ${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});
