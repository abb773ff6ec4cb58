import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { loadStateDictFile, noGrad, randn, scope } from '../../src/engine/index.js';
import { FCN8s, importVGG16Backbone } from '../../src/models/index.js';
import { countParameters, evalDifferences, runReference, skip, type Reference } from './reference.js';

describe('FCN8s', () => {
  let model: FCN8s;
  before(() => {
    model = new FCN8s().eval();
  });
  after(() => model?.dispose());

  it('has 134,292,079 parameters (VGG16 features, fc6/fc7 as convolutions, three score and three up-sampling layers)', () => {
    assert.equal(countParameters(model), 134_292_079);
  });

  it('gives logits of the input size for sides that are multiples of 32, and refuses other sides', () => {
    scope(() =>
      noGrad(() => {
        assert.deepEqual(model.forward(randn([1, 3, 32, 64])).shape, [1, 5, 32, 64]);
        assert.throws(() => model.forward(randn([1, 3, 48, 64])), /multiples of 32, got 48×64/);
      }),
    );
  });

  describe('with torchvision vgg16 weights (.pth) imported, equals the PyTorch build of bench/pytorch/models.py', { skip }, () => {
    let reference: Reference;
    before(() => {
      reference = runReference('fcn8s');
    });
    after(() => reference?.remove());

    it('in eval mode, on 1×3×64×96', (t) => {
      importVGG16Backbone(model, reference.file('vgg16.pth'));
      scope(() => model.loadStateDict(loadStateDictFile(reference.file('fcn_head.pth')), { strict: false }));
      const [difference = Infinity] = evalDifferences(model, reference);
      t.diagnostic(`max |Δ| / max |logit|: ${difference.toExponential(2)}`);
      assert.ok(difference <= 1e-4, `relative difference ${difference}`);
    });
  });
});
