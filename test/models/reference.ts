// Running test/reference/models/reference.py (the PyTorch builds of bench/pytorch/models.py) into a
// temporary folder, and comparing tensors with its results.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadStateDictFile, noGrad, scope, setNumThreads, type Layer, type Module, type Tensor } from '../../src/engine/index.js';
import { weightedCrossEntropy } from '../../src/train/losses.js';
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

/** The number of trainable values. */
export function countParameters(model: Module): number {
  return model.parameters().reduce((sum, parameter) => sum + parameter.numel, 0);
}

/** max |actual − expected| / max |expected|: the largest difference relative to the output's scale. */
export function relativeDifference(actual: Tensor, expected: Tensor): number {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`shapes differ: [${actual.shape.join(', ')}] against the expected [${expected.shape.join(', ')}]`);
  }
  return scope(() => noGrad(() => actual.sub(expected).abs().amax().item() / Math.max(expected.abs().amax().item(), 1e-30)));
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
 * Tests that a network with BatchNorm equals its PyTorch build: in eval mode on each of the reference
 * task's inputs, and in one train-mode pass with dropout 0 (build's options) including the running
 * statistics and the gradients of a cross-entropy. Differences are relative to the output's scale
 * and must be ≤ 1e-4.
 */
export function describeParityWithPyTorch(task: string, build: (options: { dropout?: number }) => Module & Layer): void {
  describe('equals the PyTorch build of bench/pytorch/models.py', { skip }, () => {
    let reference: Reference;
    before(() => {
      reference = runReference(task);
    });
    after(() => reference?.remove());

    it('in eval mode, on each reference input', (t) => {
      const model = build({});
      loadReferenceState(model, reference);
      const differences = evalDifferences(model, reference);
      const shapes = differences.map((_, i) => entry(reference.io, `x${i}`).shape.join('×'));
      t.diagnostic(`max |Δ| / max |logit|: ${differences.map((d, i) => `${d.toExponential(2)} on ${shapes[i]}`).join(', ')}`);
      assert.ok(differences.length > 0);
      for (const difference of differences) assert.ok(difference <= 1e-4, `relative difference ${difference}`);
      model.dispose();
    });

    it('in train mode with dropout 0: logits, BatchNorm running statistics, parameter gradients', (t) => {
      const model = build({ dropout: 0 });
      loadReferenceState(model, reference);
      const differences = trainDifferences(model, reference);
      t.diagnostic(Object.entries(differences).map(([what, difference]) => `${what} ${difference.toExponential(2)}`).join(', '));
      for (const [what, difference] of Object.entries(differences)) assert.ok(difference <= 1e-4, `${what}: relative difference ${difference}`);
      model.dispose();
    });
  });
}

/** Loads the reference network's state.pth into model (strictly: the names must match). */
function loadReferenceState(model: Module, reference: Reference): void {
  scope(() => model.loadStateDict(loadStateDictFile(reference.file('state.pth')), { source: reference.file('state.pth') }));
}

/**
 * One train-mode pass (batch statistics; model built with dropout 0) on x0 and the backward pass of
 * the cross-entropy against target0: the relative differences of the logits, and the largest over all
 * BatchNorm layers of the updated running statistics and over all parameters of the gradients.
 */
function trainDifferences(model: Module & Layer, reference: Reference): { logits: number; runningStatistics: number; gradients: number } {
  model.train();
  const logits = scope(() => {
    const output = model.forward(entry(reference.io, 'x0'));
    weightedCrossEntropy(output, entry(reference.io, 'target0')).backward();
    return relativeDifference(output, entry(reference.io, 'train0'));
  });
  const largest = (differences: number[]): number => {
    assert.ok(differences.length > 0);
    return Math.max(...differences);
  };
  const runningStatistics = largest(
    model.namedBuffers().filter(([name]) => name.includes('running_')).map(([name, value]) => relativeDifference(value, entry(reference.io, `running.${name}`))),
  );
  const gradients = largest(
    model.namedParameters().map(([name, parameter]) => scope(() => relativeDifference(parameter.grad!, entry(reference.io, `grad.${name}`)))),
  );
  return { logits, runningStatistics, gradients };
}
