import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ResUNet34 } from '../../src/models/index.js';
import { countParameters, describeParityWithPyTorch } from './reference.js';

describe('ResUNet34', () => {
  it('has the 24,400,421 parameters of REFERENCE_SPEC §7.3 (21,284,672 in the encoder)', () => {
    const model = new ResUNet34();
    assert.equal(countParameters(model), 24_400_421);
    assert.equal(countParameters(model.resnet), 21_284_672);
    model.dispose();
  });

  it('freezes the encoder on request, and only the encoder', () => {
    const model = new ResUNet34({ freezeEncoder: true });
    assert.ok(model.resnet.parameters().every((p) => !p.requiresGrad));
    assert.ok(model.u5.parameters().every((p) => p.requiresGrad));
    model.dispose();
  });

  // Its reference inputs: 2×3×64×64, and 1×3×72×72 whose odd maps make the UpBlocks reflect-pad their skips.
  describeParityWithPyTorch('resunet34', (options) => new ResUNet34(options));
});
