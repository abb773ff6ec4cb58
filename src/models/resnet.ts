// ResNet-34 as the encoder of ResUNet34: torchvision.models.resnet34 without its average pooling and
// classifier, with torchvision's module names (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, …)
// so that torchvision state dicts load by name, and torchvision's initialisation.
import { BatchNorm2d, Conv2d, F, Module, Sequential, type Layer, type Tensor } from '../engine/index.js';
import { kaimingNormalFanOut_ } from './init.js';

/** Two 3×3 convolutions with a residual connection (torchvision's BasicBlock). */
export class BasicBlock extends Module implements Layer {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  /** 1×1 convolution + BatchNorm matching the identity to the output when the shape changes. */
  readonly downsample: Sequential | null;

  constructor(inChannels: number, channels: number, stride = 1) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(inChannels, channels, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(channels));
    this.conv2 = this.registerModule('conv2', new Conv2d(channels, channels, 3, { padding: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(channels));
    this.downsample =
      stride !== 1 || inChannels !== channels
        ? this.registerModule('downsample', new Sequential(new Conv2d(inChannels, channels, 1, { stride, bias: false }), new BatchNorm2d(channels)))
        : null;
  }

  forward(x: Tensor): Tensor {
    const residual = this.bn2.forward(this.conv2.forward(F.relu_(this.bn1.forward(this.conv1.forward(x)))));
    const identity = this.downsample === null ? x : this.downsample.forward(x);
    return F.relu_(residual.add_(identity));
  }
}

/** The encoder's feature maps, from stride 2 (c1) to stride 32 (c5). */
export interface ResNetFeatures {
  /** After conv1 → bn1 → ReLU, 64 channels at ½ resolution. */
  c1: Tensor;
  /** After layer1, 64 channels at ¼. */
  c2: Tensor;
  /** After layer2, 128 channels at ⅛. */
  c3: Tensor;
  /** After layer3, 256 channels at 1/16. */
  c4: Tensor;
  /** After layer4, 512 channels at 1/32. */
  c5: Tensor;
}

/** A ResNet with BasicBlocks, up to layer4. */
export class ResNetEncoder extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;

  /** blocksPerStage: the number of BasicBlocks in layer1…layer4 ([3, 4, 6, 3] for ResNet-34). */
  constructor(blocksPerStage: readonly [number, number, number, number]) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(64));
    const stage = (name: string, inputs: number, channels: number, blocks: number, stride: number): Sequential => {
      const first = new BasicBlock(inputs, channels, stride);
      const rest = Array.from({ length: blocks - 1 }, () => new BasicBlock(channels, channels));
      return this.registerModule(name, new Sequential(first, ...rest));
    };
    this.layer1 = stage('layer1', 64, 64, blocksPerStage[0], 1);
    this.layer2 = stage('layer2', 64, 128, blocksPerStage[1], 2);
    this.layer3 = stage('layer3', 128, 256, blocksPerStage[2], 2);
    this.layer4 = stage('layer4', 256, 512, blocksPerStage[3], 2);
    for (const [, module] of this.namedModules()) if (module instanceof Conv2d) kaimingNormalFanOut_(module);
  }

  forward(x: Tensor): ResNetFeatures {
    const c1 = F.relu_(this.bn1.forward(this.conv1.forward(x)));
    const c2 = this.layer1.forward(F.maxPool2d(c1, 3, { stride: 2, padding: 1 }));
    const c3 = this.layer2.forward(c2);
    const c4 = this.layer3.forward(c3);
    const c5 = this.layer4.forward(c4);
    return { c1, c2, c3, c4, c5 };
  }
}

/** torchvision's resnet34 encoder: 21,284,672 parameters. */
export function resnet34Encoder(): ResNetEncoder {
  return new ResNetEncoder([3, 4, 6, 3]);
}
