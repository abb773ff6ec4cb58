import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { autocast, ConvTranspose2d, F, manualSeed, randn, scope, type Tensor } from '../../src/engine/index.js';
import { UpConv2x2 } from '../../src/models/blocks.js';
import { ResUNet34 } from '../../src/models/resunet34.js';

const maxDifference = (a: Tensor, b: Tensor): number => a.sub(b).abs().amax().item();

describe('UpConv2x2 (2×2 stride-2 transposed convolution as 1×1 convolution + pixel_shuffle)', () => {
  it('equals ConvTranspose2d on the same parameters, forward and gradients (weight, bias, input)', () => {
    scope(() => {
      manualSeed(3);
      const up = new UpConv2x2(6, 3);
      const reference = new ConvTranspose2d(6, 3, 2, { stride: 2 });
      reference.loadStateDict(up.stateDict());
      const x = randn([2, 6, 5, 7]);
      const outputGradient = randn([2, 3, 10, 14]);
      const run = (layer: ConvTranspose2d): Tensor[] => {
        const input = x.clone().requiresGrad_();
        const y = layer.forward(input);
        y.mul(outputGradient).sum().backward();
        return [y, layer.weight.grad!, layer.bias!.grad!, input.grad!];
      };
      const ours = run(up);
      const theirs = run(reference);
      assert.deepEqual(ours[0]!.shape, [2, 3, 10, 14]);
      ours.forEach((tensor, k) => assert.ok(maxDifference(tensor, theirs[k]!) < 1e-5, `output ${k}: ${maxDifference(tensor, theirs[k]!)}`));
    });
  });

  it('keeps ConvTranspose2d’s parameter names and shapes, so state dicts are unchanged', () => {
    const up = new UpConv2x2(64, 5);
    assert.deepEqual(up.namedParameters().map(([name, p]) => [name, p.shape]), [['weight', [64, 5, 2, 2]], ['bias', [5]]]);
    assert.ok(up instanceof ConvTranspose2d);
    const model = new ResUNet34();
    const keys = [...model.stateDict().keys()];
    assert.ok(keys.includes('u5.up.weight') && keys.includes('ce.bias'));
    model.dispose();
    up.dispose();
  });

  it('runs in bfloat16 under autocast (a transposed convolution would stay float32) and stays close to float32', () => {
    scope(() => {
      manualSeed(4);
      const up = new UpConv2x2(32, 16);
      const x = randn([2, 32, 8, 8]);
      const low = autocast('cpu', 'bfloat16', () => up.forward(x));
      assert.equal(low.dtype, 'bfloat16');
      assert.equal(autocast('cpu', 'bfloat16', () => F.convTranspose2d(x, up.weight, up.bias, { stride: 2 })).dtype, 'float32');
      const exact = up.forward(x);
      assert.ok(maxDifference(low.to('float32'), exact) / exact.abs().amax().item() < 2e-2);
    });
  });
});
