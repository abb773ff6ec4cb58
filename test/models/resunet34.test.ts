import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ResUNet34 } from '../../src/models/index.js';
import { evalDifferences, loadReferenceState, runReference, skip, trainDifferences, type Reference } from './reference.js';

const parameterCount = (model: ResUNet34): number => model.parameters().reduce((sum, p) => sum + p.numel, 0);

describe('ResUNet34', () => {
  it('has the 24,400,421 parameters of REFERENCE_SPEC §7.3 (21,284,672 in the encoder)', () => {
    const model = new ResUNet34();
    assert.equal(parameterCount(model), 24_400_421);
    assert.equal(model.resnet.parameters().reduce((sum, p) => sum + p.numel, 0), 21_284_672);
    model.dispose();
  });

  it('freezes the encoder on request, and only the encoder', () => {
    const model = new ResUNet34({ freezeEncoder: true });
    assert.ok(model.resnet.parameters().every((p) => !p.requiresGrad));
    assert.ok(model.u5.parameters().every((p) => p.requiresGrad));
    model.dispose();
  });

  describe('equals the PyTorch build of bench/pytorch/models.py', { skip }, () => {
    let reference: Reference;
    before(() => {
      reference = runReference('resunet34');
    });
    after(() => reference?.remove());

    it('in eval mode, on 2×3×64×64 and on 1×3×72×72 (reflect-padded skips)', (t) => {
      const model = new ResUNet34();
      loadReferenceState(model, reference);
      const differences = evalDifferences(model, reference);
      t.diagnostic(`max |Δ| / max |logit|: ${differences.map((d) => d.toExponential(2)).join(', ')}`);
      assert.equal(differences.length, 2);
      for (const difference of differences) assert.ok(difference <= 1e-4, `relative difference ${difference}`);
      model.dispose();
    });

    it('in train mode with dropout 0: logits and BatchNorm running statistics', (t) => {
      const model = new ResUNet34({ dropout: 0 });
      loadReferenceState(model, reference);
      const { logits, runningStatistics } = trainDifferences(model, reference);
      t.diagnostic(`logits ${logits.toExponential(2)}, running statistics ${runningStatistics.toExponential(2)}`);
      assert.ok(logits <= 1e-4, `logits: relative difference ${logits}`);
      assert.ok(runningStatistics <= 1e-4, `running statistics: relative difference ${runningStatistics}`);
      model.dispose();
    });
  });
});
