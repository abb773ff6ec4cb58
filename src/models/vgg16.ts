// VGG16's convolutional part, torchvision.models.vgg16().features: the same layer indices (so that
// 'features.0.weight' … load by name) and torchvision's initialisation. FCN-8s uses all of it as its
// backbone; the perceptual loss (REFERENCE_SPEC §8.2) uses it frozen, up to relu4_3.
import { Conv2d, MaxPool2d, Module, ReLU, Sequential, type Layer, type Tensor } from '../engine/index.js';
import { kaimingNormalFanOut_ } from './init.js';

/** Output channels of each 3×3 convolution (each followed by a ReLU), 'pool' for 2×2 max-pooling. */
const vgg16Layout: readonly (number | 'pool')[] = [
  64, 64, 'pool', 128, 128, 'pool', 256, 256, 256, 'pool', 512, 512, 512, 'pool', 512, 512, 512, 'pool',
];

/** The layers of vgg16().features with indices 0 … last (30, the fifth max-pooling, at most). */
export function vgg16Layers(last = 30): Sequential {
  const layers: (Module & Layer)[] = [];
  let channels = 3;
  for (const entry of vgg16Layout) {
    if (layers.length > last) break;
    if (entry === 'pool') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
    } else {
      const conv = new Conv2d(channels, entry, 3, { padding: 1 });
      kaimingNormalFanOut_(conv);
      layers.push(conv, new ReLU(true));
      channels = entry;
    }
  }
  return new Sequential(...layers.slice(0, last + 1));
}

/** Runs the layers in order up to the last tap; returns the outputs of the layers at the tap indices. */
export function forwardToTaps(layers: Sequential, x: Tensor, taps: readonly number[]): Tensor[] {
  const outputs: Tensor[] = [];
  let y = x;
  for (let index = 0; index <= Math.max(...taps); index++) {
    y = layers.layers[index]!.forward(y);
    if (taps.includes(index)) outputs.push(y);
  }
  return outputs;
}

/** The perceptual loss's taps: after relu1_2, relu2_2, relu3_3 and relu4_3. */
export const perceptualTaps: readonly number[] = [3, 8, 15, 22];

/**
 * Frozen VGG16 features returning the maps at the tap indices. The layers end at the last tap: the
 * reference runs block 5 as well and discards its output.
 */
export class VGG16Features extends Module {
  readonly features: Sequential;

  constructor(readonly taps: readonly number[] = perceptualTaps) {
    super();
    this.features = this.registerModule('features', vgg16Layers(Math.max(...taps)));
    for (const parameter of this.parameters()) parameter.requiresGrad_(false);
  }

  /** The tap maps, in the order of taps, for an N×3×H×W input. */
  forward(x: Tensor): Tensor[] {
    return forwardToTaps(this.features, x, this.taps);
  }
}
