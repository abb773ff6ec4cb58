// Golden tests: the TypeScript metrics against the independent Python reference
// (test/reference/eval/metrics.py) on synthetic edge cases and on real CoNSeP ground truth with
// perturbed predictions (test/reference/eval/make_cases.py), agreeing within 1e-6.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluateDataset } from '../../src/eval/evaluate.js';
import { consepDir, consepSkipReason, pythonSkipReason, runPython } from '../support/env.js';
import { makeCases } from './cases.js';

const TOLERANCE = 1e-6;
const pythonMissing = pythonSkipReason('skimage', 'scipy', 'PIL');
const workDir = mkdtempSync(join(tmpdir(), 'histonuc-eval-golden-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

/** Asserts equal structure and numbers within TOLERANCE, naming the first place that differs. */
function assertClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${path}: ${actual} ≠ ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: arrays differ in length`);
    expected.forEach((item, index) => assertClose((actual as unknown[])[index], item, `${path}[${index}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: different fields`);
    for (const [key, value] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

function checkAgainstReference(withConsep: boolean): void {
  const { manifestPath, datasets } = makeCases(workDir, withConsep ? [consepDir] : []);
  const expected = JSON.parse(runPython('test/reference/eval/metrics.py', [manifestPath])) as Record<string, unknown>;
  for (const dataset of datasets) assertClose(evaluateDataset(dataset.images), expected[dataset.name], dataset.name);
}

test('synthetic edge cases agree with the Python reference', { skip: pythonMissing }, () => checkAgainstReference(false));

test('CoNSeP ground truth with perturbed predictions agrees with the Python reference', { skip: pythonMissing || consepSkipReason() }, () =>
  checkAgainstReference(true),
);
