import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { loadStateDictFile, noGrad, scope, tensor, type Tensor } from '../../src/engine/index.js';
import { createPerceptualVGG16, VGG16Features } from '../../src/models/index.js';
import { perceptualLoss, trainingLosses, weightedCrossEntropy } from '../../src/train/losses.js';
import { entry, relativeDifference, runReference, skip, type Reference } from './reference.js';

describe('losses', () => {
  it('the cross-entropy divides the weighted sum by the pixel count, not by the sum of the weights (§8.1)', () => {
    scope(() => {
      // Two pixels, uniform logits over 5 classes: each term is ln 5.
      const logits = tensor(new Float32Array(10), [1, 5, 1, 2]);
      const target = tensor([0, 4], [1, 1, 2], { dtype: 'int64' });
      const weight = tensor([3, 0], [1, 1, 2]);
      assert.ok(Math.abs(weightedCrossEntropy(logits, target, weight).item() - (3 * Math.log(5)) / 2) < 1e-6);
      assert.ok(Math.abs(weightedCrossEntropy(logits, target).item() - Math.log(5)) < 1e-6);
    });
  });

  it('the perceptual loss is 0 when the contour probabilities equal the contour mask (§14)', () => {
    const vgg = createPerceptualVGG16();
    const value = scope(() =>
      noGrad(() => {
        const target = tensor(Array.from({ length: 2 * 32 * 32 }, (_, i) => (i % 7) % 5), [2, 32, 32], { dtype: 'int64' });
        // Saturated logits: softmax gives exactly 1 for the target class and 0 (underflow) elsewhere.
        const logits = target.unsqueeze(1).eq(tensor([0, 1, 2, 3, 4], [1, 5, 1, 1], { dtype: 'int64' })).to('float32').mul(200);
        return perceptualLoss(vgg, logits, target).item();
      }),
    );
    assert.equal(value, 0);
    vgg.dispose();
  });

  describe('equal PyTorch’s on the same tensors, with their gradients', { skip }, () => {
    let reference: Reference;
    let vgg: VGG16Features;
    before(() => {
      reference = runReference('losses');
      vgg = new VGG16Features();
      scope(() => vgg.loadStateDict(loadStateDictFile(reference.file('vgg.pth')), { source: reference.file('vgg.pth') }));
    });
    after(() => {
      vgg?.dispose();
      reference?.remove();
    });

    /** The loss and its gradient with respect to the logits, each as a relative difference from the reference. */
    const compare = (name: string, loss: (logits: Tensor, target: Tensor, weight: Tensor) => Tensor): { value: number; gradient: number } =>
      scope(() => {
        const logits = entry(reference.io, 'logits').clone().requiresGrad_();
        const value = loss(logits, entry(reference.io, 'target'), entry(reference.io, 'weight'));
        value.backward();
        return {
          value: relativeDifference(value.reshape(1), entry(reference.io, name)),
          gradient: relativeDifference(logits.grad!, entry(reference.io, `grad_${name}`)),
        };
      });

    const cases: [string, string, (logits: Tensor, target: Tensor, weight: Tensor) => Tensor][] = [
      ['ce', 'weighted cross-entropy', (logits, target, weight) => weightedCrossEntropy(logits, target, weight)],
      ['ce_plain', 'cross-entropy without weights', (logits, target) => weightedCrossEntropy(logits, target)],
      ['perceptual', 'perceptual loss (mask branch without autograd)', (logits, target) => perceptualLoss(vgg, logits, target)],
      ['ce', 'weighted cross-entropy of the training step (trainingLosses)', (logits, target, weight) => trainingLosses(logits, target, weight, null).ce],
      ['perceptual', 'perceptual loss of the training step (trainingLosses: exp of the shared log-softmax)', (logits, target, weight) => trainingLosses(logits, target, weight, vgg).perceptual!],
    ];
    for (const [name, title, loss] of cases) {
      it(title, (t) => {
        const { value, gradient } = compare(name, loss);
        t.diagnostic(`relative difference: value ${value.toExponential(2)}, gradient ${gradient.toExponential(2)}`);
        assert.ok(value <= 1e-5, `value: relative difference ${value}`);
        assert.ok(gradient <= 1e-5, `gradient: relative difference ${gradient}`);
      });
    }

    it('the perceptual loss with the VGG in bfloat16 (the bf16 training step) stays as close to float32 as PyTorch\'s bf16 autocast', (t) => {
      const low = new VGG16Features();
      try {
        scope(() => low.loadStateDict(vgg.stateDict()));
        low.to('bfloat16');
        const [value, gradient, pytorchValue, pytorchGradient] = scope(() => {
          const logits = entry(reference.io, 'logits').clone().requiresGrad_();
          const loss = trainingLosses(logits, entry(reference.io, 'target'), entry(reference.io, 'weight'), low).perceptual!;
          loss.backward();
          // bfloat16 keeps 8 significant bits: compare the gradient as a whole (relative L2 norm). The
          // gradient passes back through ten bfloat16 convolutions, and how far that moves it depends
          // on the CPU's kernels (PyTorch's own autocast: ≈ 5.5 % with AVX512-BF16, ≈ 14 % on AVX2),
          // so the bound is PyTorch's own bf16 error on this machine.
          const norm = (x: Tensor): number => Math.sqrt(x.mul(x).sum().item());
          const expected = entry(reference.io, 'grad_perceptual');
          const relativeL2 = (g: Tensor): number => norm(g.sub(expected)) / norm(expected);
          const exact = entry(reference.io, 'perceptual');
          return [
            relativeDifference(loss.reshape(1), exact), relativeL2(logits.grad!),
            relativeDifference(entry(reference.io, 'perceptual_bf16'), exact), relativeL2(entry(reference.io, 'grad_perceptual_bf16')),
          ];
        });
        t.diagnostic(`relative difference: value ${value.toExponential(2)}, gradient (L2) ${gradient.toExponential(2)}; ` +
          `PyTorch bf16 autocast: value ${pytorchValue.toExponential(2)}, gradient ${pytorchGradient.toExponential(2)}`);
        assert.ok(value <= 1.5 * pytorchValue + 5e-3, `value: relative difference ${value}, PyTorch's bf16 autocast ${pytorchValue}`);
        assert.ok(gradient <= 1.25 * pytorchGradient + 0.01, `gradient: relative L2 difference ${gradient}, PyTorch's bf16 autocast ${pytorchGradient}`);
      } finally {
        low.dispose();
      }
    });
  });
});
