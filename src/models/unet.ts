// The U-Net baseline of the reference code (REFERENCE_SPEC §7.4): four encoder stages and a
// bottleneck of ConvReluBatchNorm pairs, element-wise dropout 0.5 at the bottleneck, four UpBlocks and
// a 1×1 convolution to the class maps. Widths 16…256 as in the reference; width 64 gives the original
// U-Net's 64…1024 (still with this padding, BatchNorm and transposed-convolution up-sampling).
import { Conv2d, F, Module, type Layer, type Tensor } from '../engine/index.js';
import { DownBlock, UpBlock } from './blocks.js';

export interface UNetOptions {
  /** Output maps (5). */
  classes?: number;
  /** Channels of the first stage; each later stage doubles them (16 in the reference code). */
  width?: number;
  /** Dropout probability on the bottleneck features (0.5). */
  dropout?: number;
}

export class UNet extends Module implements Layer {
  readonly c1: DownBlock;
  readonly c2: DownBlock;
  readonly c3: DownBlock;
  readonly c4: DownBlock;
  /** The bottleneck. */
  readonly cu: DownBlock;
  readonly u5: UpBlock;
  readonly u6: UpBlock;
  readonly u7: UpBlock;
  readonly u8: UpBlock;
  /** The 1×1 convolution to the class maps. */
  readonly ce: Conv2d;
  readonly dropout: number;

  constructor(options: UNetOptions = {}) {
    super();
    const { classes = 5, width = 16, dropout = 0.5 } = options;
    const [w1, w2, w3, w4, w5] = [1, 2, 4, 8, 16].map((factor) => factor * width) as [number, number, number, number, number];
    this.dropout = dropout;
    this.c1 = this.registerModule('c1', new DownBlock(3, w1));
    this.c2 = this.registerModule('c2', new DownBlock(w1, w2));
    this.c3 = this.registerModule('c3', new DownBlock(w2, w3));
    this.c4 = this.registerModule('c4', new DownBlock(w3, w4));
    this.cu = this.registerModule('cu', new DownBlock(w4, w5));
    this.u5 = this.registerModule('u5', new UpBlock(w5, w4));
    this.u6 = this.registerModule('u6', new UpBlock(w4, w3));
    this.u7 = this.registerModule('u7', new UpBlock(w3, w2));
    this.u8 = this.registerModule('u8', new UpBlock(w2, w1));
    this.ce = this.registerModule('ce', new Conv2d(w1, classes, 1));
  }

  /** Logits (N×classes×H×W) for an N×3×H×W input whose sides are multiples of 16. */
  forward(x: Tensor): Tensor {
    const c1 = this.c1.forward(x);
    const c2 = this.c2.forward(F.maxPool2d(c1, 2));
    const c3 = this.c3.forward(F.maxPool2d(c2, 2));
    const c4 = this.c4.forward(F.maxPool2d(c3, 2));
    const bottleneck = F.dropout(this.cu.forward(F.maxPool2d(c4, 2)), this.dropout, this.training);
    const u5 = this.u5.forward(bottleneck, c4);
    const u6 = this.u6.forward(u5, c3);
    const u7 = this.u7.forward(u6, c2);
    const u8 = this.u8.forward(u7, c1);
    return this.ce.forward(u8);
  }
}
