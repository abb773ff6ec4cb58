// The initialisations torchvision gives its ResNet and VGG models. The engine's layers start with
// PyTorch's layer defaults (kaiming_uniform with a = √5), which would shrink the activations of a
// deep, randomly initialised encoder layer after layer; "no-pretrain" runs and the seeded random
// perceptual VGG start as torchvision.models.resnet34() / vgg16() do instead.
import { noGrad, type Conv2d } from '../engine/index.js';

/** kaiming_normal_(mode='fan_out', nonlinearity='relu') for the weight, zero for the bias. */
export function kaimingNormalFanOut_(conv: Conv2d): void {
  const [outChannels = 1, , ...kernel] = conv.weight.shape;
  const fanOut = outChannels * kernel.reduce((a, b) => a * b, 1);
  normalWithZeroBias_(conv, Math.sqrt(2 / fanOut));
}

/** N(0, std²) for the weight, zero for the bias (torchvision's init of VGG's fully connected layers uses std 0.01). */
export function normalWithZeroBias_(conv: Conv2d, std: number): void {
  noGrad(() => {
    conv.weight.normalInPlace(0, std);
    conv.bias?.zero_();
  });
}
