// PyTorch's default initialisations, drawing from libtorch's default generator in the same order as
// torch.nn does, so that the same seed gives the same weights.
import { noGrad } from '../runtime.js';
import type { Tensor } from '../tensor.js';

/** fan_in as torch.nn.init computes it: dimension 1 times the receptive field. */
export function fanIn(weight: Tensor): number {
  const [, inputs = 1, ...kernel] = weight.shape;
  return inputs * kernel.reduce((a, b) => a * b, 1);
}

export function uniform_(tensor: Tensor, low: number, high: number): Tensor {
  return noGrad(() => {
    tensor.uniformInPlace(low, high);
    return tensor;
  });
}

/** kaiming_uniform_ with a = √5: the default for Conv2d, ConvTranspose2d and Linear weights. */
export function defaultWeightInit_(weight: Tensor): Tensor {
  const bound = 1 / Math.sqrt(fanIn(weight));
  return uniform_(weight, -bound, bound);
}

/** The default bias initialisation: U(−1/√fan_in, 1/√fan_in) with the weight's fan_in. */
export function defaultBiasInit_(bias: Tensor, weight: Tensor): Tensor {
  const fan = fanIn(weight);
  const bound = fan > 0 ? 1 / Math.sqrt(fan) : 0;
  return uniform_(bias, -bound, bound);
}
