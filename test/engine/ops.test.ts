// Every op the engine exposes against PyTorch on the same inputs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { cat, F, loadStateDictFile, scope, stack, where, type Tensor } from '../../src/engine/index.js';
import { pythonSkipReason, runPython } from '../support/env.js';

type Inputs = Record<'a' | 'b' | 'm' | 'n' | 'grid' | 'idx' | 'labels', Tensor>;

const cases: Record<string, (t: Inputs) => Tensor> = {
  add_broadcast: ({ a, b }) => a.add(b.narrow(2, 0, 1)),
  sub_scalar: ({ a }) => a.sub(2.5),
  mul: ({ a, b }) => a.mul(b),
  div: ({ a, b }) => a.div(b),
  pow: ({ b }) => b.pow(1.7),
  exp: ({ a }) => a.exp(),
  log: ({ b }) => b.log(),
  sqrt: ({ b }) => b.sqrt(),
  clamp: ({ a }) => a.clamp(-0.5, 0.7),
  where: ({ a, b }) => where(a.gt(0), a, b),
  sum_dims: ({ a }) => a.sum([1, 3], true),
  mean_all: ({ a }) => a.mean().reshape(1),
  amax: ({ a }) => a.amax(2),
  argmax: ({ a }) => a.argmax(1),
  softmax: ({ a }) => F.softmax(a, 1),
  log_softmax: ({ a }) => F.logSoftmax(a, 1),
  matmul: ({ m, n }) => m.matmul(n),
  max_pool: ({ a }) => F.maxPool2d(a, 3, { stride: 2, padding: 1 }),
  avg_pool: ({ a }) => F.avgPool2d(a, 2),
  interp_nearest: ({ a }) => F.interpolate(a, [9, 13], 'nearest'),
  interp_bilinear: ({ a }) => F.interpolate(a, [9, 13], 'bilinear', false),
  grid_sample_bilinear: ({ a, grid }) => F.gridSample(a, grid, { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false }),
  grid_sample_nearest: ({ a, grid }) => F.gridSample(a, grid, { mode: 'nearest', paddingMode: 'border', alignCorners: true }),
  pad_reflect: ({ a }) => F.pad(a, [1, 2, 3, 0], 'reflect'),
  pad_constant: ({ a }) => F.pad(a, [1, 2, 3, 0], 'constant', -1),
  flip: ({ a }) => a.flip(2, 3),
  rot90: ({ a }) => a.rot90(1, [2, 3]),
  permute: ({ a }) => a.permute(0, 2, 3, 1).contiguous(),
  index_select: ({ a, idx }) => a.indexSelect(1, idx),
  narrow: ({ a }) => a.narrow(3, 2, 4).contiguous(),
  cat: ({ a, b }) => cat([a, b], 1),
  stack: ({ a, b }) => stack([a, b], 0),
  one_hot: ({ labels }) => F.oneHot(labels, 4),
  mse: ({ a, b }) => F.mseLoss(a, b).reshape(1),
  pixel_shuffle: ({ a, b }) => F.pixelShuffle(cat([a, b, a, b], 1), 2),
  nll_weighted: ({ a, b, labels }) => F.nllLoss(F.logSoftmax(a, 1), labels.clamp(null, 2), b.select(1, 0), 'mean').reshape(1),
  dropout_eval: ({ a }) => F.dropout(a, 0.5, false),
  batch_norm_eval: ({ a, b }) => {
    const perChannel = (t: Tensor, batch: number): Tensor => t.select(0, batch).select(1, 0).select(1, 0);
    return F.batchNorm(a, {
      runningMean: perChannel(a, 0).clone(),
      runningVar: perChannel(b, 0).clone(),
      weight: perChannel(b, 1),
      bias: perChannel(a, 1).add(0.1),
      training: false,
    });
  },
};

test('every op equals PyTorch on the same inputs', { skip: pythonSkipReason('torch') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-ops-'));
  try {
    runPython('test/reference/engine/ops.py', [dir]);
    const saved = loadStateDictFile(join(dir, 'ops.pth'));
    const inputs = Object.fromEntries(['a', 'b', 'm', 'n', 'grid', 'idx', 'labels'].map((k) => [k, saved.get(`in.${k}`)!])) as Inputs;
    for (const [name, op] of Object.entries(cases)) {
      scope(() => {
        const expected = saved.get(`out.${name}`);
        assert.ok(expected, `the reference has no case ${name}`);
        const actual = op(inputs);
        assert.deepEqual(actual.shape, expected.shape, `${name}: shape`);
        assert.equal(actual.dtype, expected.dtype, `${name}: dtype`);
        const got = actual.toFloat32Array();
        const want = expected.toFloat32Array();
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-6 * (1 + Math.abs(want[i]!)), `${name}[${i}]: ${got[i]} vs ${want[i]}`);
        }
      });
    }
    assert.equal(Object.keys(cases).length, [...saved.keys()].filter((k) => k.startsWith('out.')).length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
