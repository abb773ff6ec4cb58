// The training losses of REFERENCE_SPEC §8: the pixel-weighted cross-entropy, and the perceptual loss
// on the contour map. The training loss is weightedCrossEntropy + β·perceptualLoss (β = 0.1 in the
// paper, 0 for its "w.o. L_per" variant); trainingLosses computes both terms from one log-softmax.
import { CONTOUR_CLASS } from '../data/targets.js';
import { autocast, F, noGrad, type Tensor } from '../engine/index.js';
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
 * through the softmax.
 */
export function perceptualLoss(vgg: VGG16Features, logits: Tensor, target: Tensor): Tensor {
  return contourPerceptualLoss(vgg, F.softmax(logits, 1).narrow(1, CONTOUR_CLASS, 1), target);
}

/**
 * Both training terms from one log-softmax of the (float32) logits: the weighted cross-entropy, and
 * the perceptual loss (null without a VGG) on the contour probability exp(log p₄). The same values
 * as weightedCrossEntropy and perceptualLoss.
 */
export function trainingLosses(
  logits: Tensor, target: Tensor, weight: Tensor | null, vgg: VGG16Features | null,
): { ce: Tensor; perceptual: Tensor | null } {
  const logProbabilities = F.logSoftmax(logits, 1);
  const ce = F.nllLoss(logProbabilities, target, weight, 'mean');
  const perceptual = vgg === null ? null : contourPerceptualLoss(vgg, logProbabilities.narrow(1, CONTOUR_CLASS, 1).exp(), target);
  return { ce, perceptual };
}

/**
 * §8.2 on the contour probability (N×1×H×W). The mask's features are computed without autograd;
 * they need no gradient. A VGG converted to bfloat16 runs both branches in bfloat16 (the predicted
 * one under autocast, so that gradients flow back to the float32 probability); the squared
 * differences and their means are float32 either way (on the CPU in one pass over the bfloat16
 * features, without converted copies).
 */
function contourPerceptualLoss(vgg: VGG16Features, contourProbability: Tensor, target: Tensor): Tensor {
  const dtype = vgg.parameters()[0]!.dtype;
  const contourMask = target.eq(CONTOUR_CLASS).unsqueeze(1).to(dtype).repeat(1, 3, 1, 1);
  const input = contourProbability.repeat(1, 3, 1, 1);
  const [predicted, expected] = dtype === 'float32'
    ? [vgg.forward(input), noGrad(() => vgg.forward(contourMask))]
    : [autocast(target.device === 'cpu' ? 'cpu' : 'cuda', dtype, () => vgg.forward(input)), noGrad(() => vgg.forward(contourMask))];
  const perTap = predicted.map((features, tap) =>
    features.device === 'cpu' ? F.meanSquaredError(features, expected[tap]!) : F.mseLoss(features.to('float32'), expected[tap]!.to('float32')));
  return perTap.reduce((sum, term) => sum.add(term)).div(perTap.length);
}
