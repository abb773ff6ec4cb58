// The model shipped in models/: float16, at most 50 MB, its training record and validation metrics
// in its header, and what `histonuc predict` uses when no --model is given.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

import { readSafetensors } from '../../src/engine/index.js';
import { consepDir, consepSkipReason, repoRoot } from '../support/env.js';

const shipped = resolve(repoRoot, 'models', 'resunet34-consep.safetensors');
const absent = existsSync(shipped) ? false : `no shipped model at ${shipped} yet`;

test('the shipped model is a float16 ResUNet34 of at most 50 MB with its training record and validation metrics', { skip: absent }, () => {
  assert.ok(statSync(shipped).size <= 50e6, `${statSync(shipped).size} bytes`);
  const { tensors, metadata } = readSafetensors(shipped);
  for (const tensor of tensors.values()) if (tensor.dtype !== 'int64') assert.equal(tensor.dtype, 'float16');
  const header = JSON.parse(metadata.histonuc!) as { model: string; mpp: number; release: { config: { model: string }; validation: Record<string, number> } };
  assert.equal(header.model, 'resunet34');
  assert.equal(header.mpp, 0.25);
  assert.equal(header.release.config.model, 'resunet34');
  assert.ok(header.release.validation.f1 > 0.5, `validation F1 ${header.release.validation.f1}`);
});

test('predict without --model uses the shipped model and finds classified nuclei in a CoNSeP image', { skip: absent || consepSkipReason() }, () => {
  const out = mkdtempSync(join(tmpdir(), 'histonuc-shipped-'));
  try {
    const run = spawnSync(process.execPath, [resolve(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'predict', '--formats', 'summary',
      '--out', out, join(consepDir, 'images', 'train_27.png')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(readFileSync(join(out, 'train_27_summary.json'), 'utf8')) as { counts: { total: number } };
    // train_27 (a validation image of docs/consep-split.json, never trained on) holds 63 annotated nuclei.
    assert.ok(summary.counts.total > 20 && summary.counts.total < 200, `${summary.counts.total} nuclei`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
