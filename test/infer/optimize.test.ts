// The inference-only networks (src/infer/optimize.ts) against the plain networks in eval mode, on
// random weights with BatchNorm statistics far from the identity (so that a wrong fold shows).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BatchNorm2d, Conv2d, manualSeed, Sequential, noGrad, randn, scope, type Tensor } from '../../src/engine/index.js';
import { FCN8s, ResUNet34, UNet, type SegmentationModel } from '../../src/models/index.js';
import type { Precision } from '../../src/engine/index.js';
import { optimizeForInference } from '../../src/infer/optimize.js';

/** Every BatchNorm gets scale in [0.5, 1.5] (or [-1.5, -0.5] where negative), shift, mean and variance away from 0/1. */
function randomiseBatchNorms(model: SegmentationModel, negativeScaleIn: string | null = null): void {
  noGrad(() => scope(() => {
    for (const [name, module] of model.namedModules()) {
      if (!(module instanceof BatchNorm2d)) continue;
      const c = module.channels;
      const scale = randn([c]).abs().clamp(0.5, 1.5);
      module.weight.copy_(name === negativeScaleIn ? scale.neg() : scale);
      module.bias.copy_(randn([c]).mul(0.3));
      module.runningMean.copy_(randn([c]).mul(0.3));
      module.runningVar.copy_(randn([c]).abs().add(0.5));
    }
  }));
}

/** max |a − b| / max |b|. */
function relativeError(a: Tensor, b: Tensor): number {
  return scope(() => a.sub(b).abs().amax().item() / b.abs().amax().item());
}

function compare(model: SegmentationModel, shape: number[], precision: Precision): { error: number; logits: number[] } {
  model.eval();
  const optimised = optimizeForInference(model, { precision });
  try {
    return scope(() => {
      const x = randn(shape);
      const expected = noGrad(() => model.forward(x));
      const actual = optimised.forward(x);
      assert.equal(actual.dtype, 'float32');
      assert.deepEqual(actual.shape, expected.shape);
      assert.ok(actual.isContiguous(true), 'logits are returned channels-last');
      return { error: relativeError(actual, expected), logits: [...expected.shape] };
    });
  } finally {
    optimised.dispose();
  }
}

describe('optimizeForInference', () => {
  it('ResUNet34 in fp32 equals the plain network within 1e-4 (BN folded, 2×2 up-sampling as 1×1 + scatter)', () => {
    manualSeed(1);
    const model = new ResUNet34();
    randomiseBatchNorms(model);
    // 80×96: odd stage sizes, so the decoder reflect-pads skips (§7.2) on both paths.
    for (const shape of [[2, 3, 64, 64], [1, 3, 80, 96]]) {
      const { error } = compare(model, shape, 'fp32');
      assert.ok(error < 1e-4, `relative error ${error} at ${shape.join('×')}`);
    }
    model.dispose();
  });

  it('ResUNet34 with a negative decoder BatchNorm scale (no scale fold there) still equals the plain network', () => {
    manualSeed(2);
    const model = new ResUNet34();
    randomiseBatchNorms(model, 'u6.conv1.norm');
    const { error } = compare(model, [1, 3, 64, 64], 'fp32');
    assert.ok(error < 1e-4, `relative error ${error}`);
    model.dispose();
  });

  it('ResUNet34 in bf16 stays within bfloat16 rounding of the plain network', () => {
    manualSeed(3);
    const model = new ResUNet34();
    randomiseBatchNorms(model);
    const { error } = compare(model, [1, 3, 96, 64], 'bf16');
    // bfloat16 keeps 8 significant bits (relative rounding 2^-9 ≈ 0.002) through ~45 layers.
    assert.ok(error < 0.05, `relative error ${error}`);
    model.dispose();
  });

  it('UNet in fp32 and bf16 equals the plain network (the bottleneck shift folded into u5)', () => {
    manualSeed(4);
    const model = new UNet();
    randomiseBatchNorms(model);
    const fp32 = compare(model, [2, 3, 48, 64], 'fp32').error;
    assert.ok(fp32 < 1e-4, `fp32 relative error ${fp32}`);
    const bf16 = compare(model, [1, 3, 64, 48], 'bf16').error;
    assert.ok(bf16 < 0.05, `bf16 relative error ${bf16}`);
    model.dispose();
  });

  it('FCN-8s runs as the plain network (fp32: the same logits; bf16: under autocast)', () => {
    manualSeed(5);
    const model = new FCN8s().eval();
    for (const precision of ['fp32', 'bf16'] as const) {
      const optimised = optimizeForInference(model, { precision });
      scope(() => {
        const x = randn([1, 3, 64, 64]);
        const expected = noGrad(() => model.forward(x));
        const actual = optimised.forward(x);
        assert.deepEqual(actual.shape, expected.shape);
        if (precision === 'fp32') assert.equal(actual.sub(expected).abs().amax().item(), 0);
      });
    }
    model.dispose();
  });

  it('refuses a network it has no inference version of', () => {
    const other = new Sequential(new Conv2d(3, 5, 1));
    assert.throws(() => optimizeForInference(other, { precision: 'fp32' }), /no inference version of Sequential/);
    other.dispose();
  });
});
