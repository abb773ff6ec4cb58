// FCN-8s (Long, Shelhamer & Darrell, 2015) on VGG16, the paper's FCN baseline (REFERENCE_SPEC §7.5; the
// reference code has none). The standard network: VGG16 features; fc6 and fc7 as 7×7 and 1×1
// convolutions with ReLU and dropout; 1×1 score layers on fc7, pool4 and pool3, summed after ×2
// up-sampling; ×8 up-sampling to the input size. Choices where the Caffe original differs:
// - fc6 is padded by 3 instead of padding conv1_1 by 100 and cropping every fused map: for input
//   sides that are multiples of 32 all maps then align exactly and the logits have the input's size.
// - The three up-samplings are transposed convolutions (kernel 2f, stride f, padding f/2, no bias)
//   initialised to bilinear interpolation and all learnt; the original learns the ×2 ones and keeps
//   the ×8 one fixed.
// - No fixed scaling of the pool3/pool4 scores (the staged FCN-8s, not the 'at-once' variant).
// As in the original, the score layers start at zero and fc6/fc7 take VGG16's classifier weights
// when imported (src/models/weights.ts).
import { Conv2d, ConvTranspose2d, F, Module, noGrad, scope, tensor, type Layer, type Sequential, type Tensor } from '../engine/index.js';
import { normalWithZeroBias_ } from './init.js';
import { forwardToTaps, vgg16Layers } from './vgg16.js';

/** Indices of pool3, pool4 and pool5 in VGG16's features. */
const poolTaps = [16, 23, 30];

export interface FCN8sOptions {
  /** Output maps (5). */
  classes?: number;
  /** Dropout probability after fc6 and fc7 (0.5). */
  dropout?: number;
}

export class FCN8s extends Module implements Layer {
  readonly features: Sequential;
  readonly fc6: Conv2d;
  readonly fc7: Conv2d;
  readonly scoreFr: Conv2d;
  readonly scorePool4: Conv2d;
  readonly scorePool3: Conv2d;
  readonly upscore2: ConvTranspose2d;
  readonly upscorePool4: ConvTranspose2d;
  readonly upscore8: ConvTranspose2d;
  readonly dropout: number;

  constructor(options: FCN8sOptions = {}) {
    super();
    const { classes = 5, dropout = 0.5 } = options;
    this.dropout = dropout;
    this.features = this.registerModule('features', vgg16Layers());
    this.fc6 = this.registerModule('fc6', new Conv2d(512, 4096, 7, { padding: 3 }));
    this.fc7 = this.registerModule('fc7', new Conv2d(4096, 4096, 1));
    // torchvision's initialisation of VGG16's classifier, where fc6 and fc7 come from.
    normalWithZeroBias_(this.fc6, 0.01);
    normalWithZeroBias_(this.fc7, 0.01);
    this.scoreFr = this.registerModule('score_fr', zeroConv(4096, classes));
    this.scorePool4 = this.registerModule('score_pool4', zeroConv(512, classes));
    this.scorePool3 = this.registerModule('score_pool3', zeroConv(256, classes));
    this.upscore2 = this.registerModule('upscore2', bilinearUpsampling(classes, 2));
    this.upscorePool4 = this.registerModule('upscore_pool4', bilinearUpsampling(classes, 2));
    this.upscore8 = this.registerModule('upscore8', bilinearUpsampling(classes, 8));
  }

  /** Logits (N×classes×H×W) for an N×3×H×W input whose sides are multiples of 32. */
  forward(x: Tensor): Tensor {
    const [height, width] = [x.size(2), x.size(3)];
    if (height % 32 !== 0 || width % 32 !== 0) throw new Error(`FCN8s: the input sides must be multiples of 32, got ${height}×${width}`);
    const [pool3, pool4, pool5] = forwardToTaps(this.features, x, poolTaps) as [Tensor, Tensor, Tensor];
    const fc6 = F.dropout(F.relu_(this.fc6.forward(pool5)), this.dropout, this.training);
    const fc7 = F.dropout(F.relu_(this.fc7.forward(fc6)), this.dropout, this.training);
    const fusedPool4 = this.upscore2.forward(this.scoreFr.forward(fc7)).add(this.scorePool4.forward(pool4));
    const fusedPool3 = this.upscorePool4.forward(fusedPool4).add(this.scorePool3.forward(pool3));
    return this.upscore8.forward(fusedPool3);
  }
}

function zeroConv(inChannels: number, outChannels: number): Conv2d {
  const conv = new Conv2d(inChannels, outChannels, 1);
  noGrad(() => {
    conv.weight.zero_();
    conv.bias?.zero_();
  });
  return conv;
}

/** A transposed convolution up-sampling each channel by factor, initialised to bilinear interpolation. */
function bilinearUpsampling(channels: number, factor: number): ConvTranspose2d {
  const size = 2 * factor;
  const up = new ConvTranspose2d(channels, channels, size, { stride: factor, padding: factor / 2, bias: false });
  const center = factor - 0.5;
  const profile = Array.from({ length: size }, (_, i) => 1 - Math.abs(i - center) / factor);
  const weights = new Float32Array(channels * channels * size * size);
  for (let channel = 0; channel < channels; channel++) {
    const offset = (channel * channels + channel) * size * size;
    for (let row = 0; row < size; row++) for (let col = 0; col < size; col++) weights[offset + row * size + col] = profile[row]! * profile[col]!;
  }
  scope(() => noGrad(() => void up.weight.copy_(tensor(weights, up.weight.shape))));
  return up;
}
