// Running test/reference/models/reference.py (the PyTorch builds of bench/pytorch/models.py) into a
// temporary folder, and comparing tensors with its results.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadStateDictFile, noGrad, scope, setNumThreads, type Layer, type Module, type Tensor } from '../../src/engine/index.js';
import { pythonSkipReason, runPython } from '../support/env.js';

/** Both sides use two libtorch threads. */
export const threads = 2;
setNumThreads(threads);

export const skip = pythonSkipReason('torch', 'torchvision');

export interface Reference {
  dir: string;
  /** io.pth: inputs and expected outputs by name. */
  io: Map<string, Tensor>;
  file(name: string): string;
  remove(): void;
}

/** Runs one task of reference.py (see its docstring) and loads its io.pth. */
export function runReference(task: string): Reference {
  const dir = mkdtempSync(join(tmpdir(), `histonuc-${task}-`));
  runPython('test/reference/models/reference.py', [task, dir, String(threads)]);
  const io = loadStateDictFile(join(dir, 'io.pth'));
  return {
    dir,
    io,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The entry of a state dict, or an error naming what is missing. */
export function entry(values: ReadonlyMap<string, Tensor>, name: string): Tensor {
  const value = values.get(name);
  if (value === undefined) throw new Error(`the reference results lack '${name}'`);
  return value;
}

/** max |actual − expected| / max |expected|: the largest difference relative to the output's scale. */
export function relativeDifference(actual: Tensor, expected: Tensor): number {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`shapes differ: [${actual.shape.join(', ')}] against the expected [${expected.shape.join(', ')}]`);
  }
  return scope(() => noGrad(() => actual.sub(expected).abs().amax().item() / Math.max(expected.abs().amax().item(), 1e-30)));
}

/** Loads the reference network's state.pth into model (strictly: the names must match). */
export function loadReferenceState(model: Module, reference: Reference): void {
  scope(() => model.loadStateDict(loadStateDictFile(reference.file('state.pth')), { source: reference.file('state.pth') }));
}

/** The relative differences of model's eval-mode logits from the reference's, for each input x<i>. */
export function evalDifferences(model: Module & Layer, reference: Reference): number[] {
  model.eval();
  const differences: number[] = [];
  for (let i = 0; reference.io.has(`x${i}`); i++) {
    differences.push(scope(() => noGrad(() => relativeDifference(model.forward(entry(reference.io, `x${i}`)), entry(reference.io, `eval${i}`)))));
  }
  return differences;
}

/**
 * One train-mode pass (batch statistics; model built with dropout 0) on x0: the relative differences
 * of the logits and, the largest over all BatchNorm layers, of the updated running statistics.
 */
export function trainDifferences(model: Module & Layer, reference: Reference): { logits: number; runningStatistics: number } {
  model.train();
  const logits = scope(() => noGrad(() => relativeDifference(model.forward(entry(reference.io, 'x0')), entry(reference.io, 'train0'))));
  const running = model.namedBuffers().filter(([name]) => name.includes('running_'));
  assert.ok(running.length > 0);
  const runningStatistics = Math.max(...running.map(([name, value]) => relativeDifference(value, entry(reference.io, `running.${name}`))));
  return { logits, runningStatistics };
}
