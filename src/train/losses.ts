// The training losses of REFERENCE_SPEC §8: the pixel-weighted cross-entropy, and the perceptual loss
// on the contour map. The training loss is weightedCrossEntropy + β·perceptualLoss (β = 0.1 in the
// paper, 0 for its "w.o. L_per" variant).
import { CONTOUR_CLASS } from '../data/targets.js';
import { F, noGrad, type Tensor } from '../engine/index.js';
import type { VGG16Features } from '../models/vgg16.js';

/**
 * The cross-entropy of logits (N×C×H×W) against class indices (int64, N×H×W), each pixel's term
 * multiplied by its weight (N×H×W: 1 + w, or 0 where augmentation filled the image) and the sum
 * divided by the pixel count N·H·W, not by the sum of the weights (§8.1). Without weights, the mean.
 */
export function weightedCrossEntropy(logits: Tensor, target: Tensor, weight: Tensor | null = null): Tensor {
  return F.nllLoss(F.logSoftmax(logits, 1), target, weight, 'mean');
}

/**
 * The perceptual loss as the reference code's final version computes it (§8.2): the softmax
 * probability of the contour class against the binary contour mask (target == 4), each copied into
 * VGG's three input channels with no ImageNet normalisation; at each of the VGG's taps the mean
 * squared difference over all elements, then the mean over the taps. Gradients reach all logits
 * through the softmax. The mask's features are computed without autograd: they need no gradient.
 */
export function perceptualLoss(vgg: VGG16Features, logits: Tensor, target: Tensor): Tensor {
  const contourProbability = F.softmax(logits, 1).narrow(1, CONTOUR_CLASS, 1).repeat(1, 3, 1, 1);
  const contourMask = target.eq(CONTOUR_CLASS).unsqueeze(1).to(logits.dtype).repeat(1, 3, 1, 1);
  const predicted = vgg.forward(contourProbability);
  const expected = noGrad(() => vgg.forward(contourMask));
  const perTap = predicted.map((features, tap) => F.mseLoss(features, expected[tap]!));
  return perTap.reduce((sum, term) => sum.add(term)).div(perTap.length);
}
