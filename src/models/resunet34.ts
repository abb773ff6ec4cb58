// ResUNet34, the paper's network (REFERENCE_SPEC §7.3): a ResNet-34 encoder (torchvision names under
// 'resnet.') and a decoder of four UpBlocks with Dropout2d(0.1), ending in a transposed convolution
// back to full resolution. 24,400,421 parameters. The module names are the reference model.py's,
// whose state dicts differ only by also holding the unused 'resnet.fc.*'.
import { Module, type Layer, type Tensor } from '../engine/index.js';
import { UpBlock, UpConv2x2 } from './blocks.js';
import { resnet34Encoder, type ResNetEncoder } from './resnet.js';

export interface ResUNet34Options {
  /** Output maps (5: background, tumor, lymphocyte, stroma, contour). */
  classes?: number;
  /** Dropout2d probability in every decoder block (0.1 in the paper). */
  dropout?: number;
  /**
   * Whether the encoder's parameters are frozen (model.fix_params, §7.3, off in the paper); its
   * BatchNorm statistics still update in training mode.
   */
  freezeEncoder?: boolean;
}

export class ResUNet34 extends Module implements Layer {
  readonly resnet: ResNetEncoder;
  readonly u5: UpBlock;
  readonly u6: UpBlock;
  readonly u7: UpBlock;
  readonly u8: UpBlock;
  /** The final transposed convolution 64 → classes, 2×2 stride 2, to the input's resolution (as 1×1 conv + pixel shuffle). */
  readonly ce: UpConv2x2;

  constructor(options: ResUNet34Options = {}) {
    super();
    const { classes = 5, dropout = 0.1, freezeEncoder = false } = options;
    this.resnet = this.registerModule('resnet', resnet34Encoder());
    if (freezeEncoder) for (const parameter of this.resnet.parameters()) parameter.requiresGrad_(false);
    this.u5 = this.registerModule('u5', new UpBlock(512, 256, dropout));
    this.u6 = this.registerModule('u6', new UpBlock(256, 128, dropout));
    this.u7 = this.registerModule('u7', new UpBlock(128, 64, dropout));
    this.u8 = this.registerModule('u8', new UpBlock(64, 64, dropout));
    this.ce = this.registerModule('ce', new UpConv2x2(64, classes));
  }

  /** Logits (N×classes×H×W) for an N×3×H×W input whose sides are multiples of 32. */
  forward(x: Tensor): Tensor {
    const { c1, c2, c3, c4, c5 } = this.resnet.forward(x);
    const u5 = this.u5.forward(c5, c4);
    const u6 = this.u6.forward(u5, c3);
    const u7 = this.u7.forward(u6, c2);
    const u8 = this.u8.forward(u7, c1);
    return this.ce.forward(u8);
  }
}
