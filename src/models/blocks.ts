// The convolution blocks that ResUNet34's decoder and the U-Net share (REFERENCE_SPEC §7.1, §7.2).
// Module names follow the reference model.py, so that state dicts carry the same keys in PyTorch
// (bench/pytorch/models.py) and here.
import { BatchNorm2d, Conv2d, ConvTranspose2d, cat, F, Module, type Layer, type Tensor } from '../engine/index.js';

/**
 * ConvTranspose2d(in → out, kernel 2, stride 2) computed as the exactly equal 1×1 convolution to
 * 4·out channels followed by pixel_shuffle(2): output (o, 2i+a, 2j+b) = bias[o] + Σ_c x[c,i,j]·W[c,o,a,b],
 * and channel 4o + 2a + b of the 1×1 convolution is moved by pixel_shuffle to (o, 2i+a, 2j+b).
 * The parameters (weight in×out×2×2, bias) and their state-dict keys are ConvTranspose2d's, and
 * gradients reach them through the reshaping. libtorch 1.13 has no bfloat16 transposed convolution
 * on the CPU (autocast runs it in float32); a 1×1 convolution runs in bfloat16 under autocast.
 */
export class UpConv2x2 extends ConvTranspose2d {
  readonly outChannels: number;

  constructor(inChannels: number, outChannels: number) {
    super(inChannels, outChannels, 2, { stride: 2 });
    this.outChannels = outChannels;
  }

  override forward(x: Tensor): Tensor {
    const inChannels = this.weight.size(0);
    const weight = this.weight.permute(1, 2, 3, 0).reshape(4 * this.outChannels, inChannels, 1, 1);
    const bias = this.bias?.unsqueeze(1).expand(this.outChannels, 4).reshape(4 * this.outChannels) ?? null;
    return F.pixelShuffle(F.conv2d(x, weight, bias), 2);
  }
}

/**
 * Conv 3×3 → ReLU → BatchNorm → Dropout2d (only when p > 0): model.py's `dilated_conv` with
 * dilation 1. BatchNorm comes after the ReLU, as in the reference code (§7.1, §13 item 7).
 */
export class ConvReluBatchNorm extends Module implements Layer {
  readonly conv: Conv2d;
  readonly norm: BatchNorm2d;

  constructor(
    inChannels: number,
    outChannels: number,
    readonly dropout = 0,
  ) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(inChannels, outChannels, 3, { padding: 1 }));
    this.norm = this.registerModule('norm', new BatchNorm2d(outChannels));
  }

  forward(x: Tensor): Tensor {
    const y = this.norm.forward(F.relu_(this.conv.forward(x)));
    return this.dropout > 0 ? F.dropout2d(y, this.dropout, this.training) : y;
  }
}

/** Two ConvReluBatchNorm blocks: a U-Net encoder stage before its pooling (model.py's ConvDownBlock). */
export class DownBlock extends Module implements Layer {
  readonly conv1: ConvReluBatchNorm;
  readonly conv2: ConvReluBatchNorm;

  constructor(inChannels: number, outChannels: number) {
    super();
    this.conv1 = this.registerModule('conv1', new ConvReluBatchNorm(inChannels, outChannels));
    this.conv2 = this.registerModule('conv2', new ConvReluBatchNorm(outChannels, outChannels));
  }

  forward(x: Tensor): Tensor {
    return this.conv2.forward(this.conv1.forward(x));
  }
}

/**
 * A decoder stage (§7.2): transposed conv 2×2 stride 2 halving the channels, concatenation
 * [up-sampled, skip], then two ConvReluBatchNorm blocks with skipChannels outputs.
 */
export class UpBlock extends Module {
  readonly up: UpConv2x2;
  readonly conv1: ConvReluBatchNorm;
  readonly conv2: ConvReluBatchNorm;

  constructor(inChannels: number, skipChannels: number, dropout = 0) {
    super();
    const upChannels = inChannels / 2;
    this.up = this.registerModule('up', new UpConv2x2(inChannels, upChannels));
    this.conv1 = this.registerModule('conv1', new ConvReluBatchNorm(upChannels + skipChannels, skipChannels, dropout));
    this.conv2 = this.registerModule('conv2', new ConvReluBatchNorm(skipChannels, skipChannels, dropout));
  }

  forward(x: Tensor, skip: Tensor): Tensor {
    const up = this.up.forward(x);
    const joined = cat([up, padToMatch(skip, up)], 1);
    return this.conv2.forward(this.conv1.forward(joined));
  }
}

/**
 * The skip map reflect-padded on the right and bottom to the up-sampled map's size. A ResNet stage
 * rounds odd sizes up, so the up-sampled map can be larger than its skip; it is never smaller for
 * inputs whose sides the model accepts.
 */
function padToMatch(skip: Tensor, up: Tensor): Tensor {
  const extraRows = up.size(2) - skip.size(2);
  const extraCols = up.size(3) - skip.size(3);
  if (extraRows < 0 || extraCols < 0) {
    throw new Error(
      `UpBlock: the up-sampled map (${up.size(2)}×${up.size(3)}) is smaller than its skip map (${skip.size(2)}×${skip.size(3)}); ` +
        'the input sides must be multiples of the network stride',
    );
  }
  return extraRows === 0 && extraCols === 0 ? skip : F.pad(skip, [0, extraCols, 0, extraRows], 'reflect');
}
