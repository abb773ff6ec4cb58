import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { UNet } from '../../src/models/index.js';
import { evalDifferences, loadReferenceState, runReference, skip, trainDifferences, type Reference } from './reference.js';

const parameterCount = (model: UNet): number => model.parameters().reduce((sum, p) => sum + p.numel, 0);

describe('UNet', () => {
  it('has 1,944,117 parameters at width 16 (the reference) and 31,043,781 at width 64 (the original widths)', () => {
    for (const [width, expected] of [[16, 1_944_117], [64, 31_043_781]] as const) {
      const model = new UNet({ width });
      assert.equal(parameterCount(model), expected);
      model.dispose();
    }
  });

  describe('equals the PyTorch build of bench/pytorch/models.py', { skip }, () => {
    let reference: Reference;
    before(() => {
      reference = runReference('unet');
    });
    after(() => reference?.remove());

    it('in eval mode, on 2×3×64×64', (t) => {
      const model = new UNet();
      loadReferenceState(model, reference);
      const [difference = Infinity] = evalDifferences(model, reference);
      t.diagnostic(`max |Δ| / max |logit|: ${difference.toExponential(2)}`);
      assert.ok(difference <= 1e-4, `relative difference ${difference}`);
      model.dispose();
    });

    it('in train mode with dropout 0: logits and BatchNorm running statistics', (t) => {
      const model = new UNet({ dropout: 0 });
      loadReferenceState(model, reference);
      const { logits, runningStatistics } = trainDifferences(model, reference);
      t.diagnostic(`logits ${logits.toExponential(2)}, running statistics ${runningStatistics.toExponential(2)}`);
      assert.ok(logits <= 1e-4, `logits: relative difference ${logits}`);
      assert.ok(runningStatistics <= 1e-4, `running statistics: relative difference ${runningStatistics}`);
      model.dispose();
    });
  });
});
