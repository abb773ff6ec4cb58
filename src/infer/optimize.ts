// Inference-only versions of histonuc's networks (issue 10): the same function as the trained model in
// eval mode, rebuilt once for speed on the CPU.
// - Weights are converted once to the inference precision (bfloat16 or float32) and laid out
//   channels-last; activations stay channels-last from the input to the logits.
// - BatchNorm is folded into a neighbouring convolution wherever that is exact:
//   · conv → BN (the ResNet encoder): scale into the weights, shift into the bias;
//   · conv → ReLU → BN (the decoder blocks, §7.1): where every BN scale s ≥ 0, s·relu(z) = relu(s·z),
//     so the scale goes into the convolution and only the shift t stays, added after the ReLU; a
//     shift followed only by a 1×1 convolution or a 2×2 stride-2 transposed one (no padding, every
//     output reads one input pixel) goes into that convolution's bias instead. (Into a zero-padded
//     3×3 convolution it would not be exact at the image border.) A layer with a negative scale keeps
//     the scale as a multiplication after the ReLU.
// - Each 2×2 stride-2 transposed convolution is a 1×1 convolution to 4× the channels, ordered
//   (row offset, column offset, channel), whose output is scattered in one copy straight into its
//   place in the concatenation buffer (what pixel_shuffle(2) + cat would do in two).
// - ReLU runs in place on the convolution's output; the residual addition in place too.
// FCN-8s (no BatchNorm, transposed convolutions of kernel 2f) runs as the plain model, under bfloat16
// autocast for bf16.
import {
  autocast, BatchNorm2d, Conv2d, ConvTranspose2d, defaultPrecision, empty, F, keep, Module, noGrad, scope,
  type DType, type Layer, type Precision, type Tensor,
} from '../engine/index.js';
import { BasicBlock, FCN8s, ResUNet34, UNet, type ConvReluBatchNorm, type DownBlock, type UpBlock } from '../models/index.js';
import type { SegmentationModel } from '../models/index.js';


/** Time and convolution work of one group of layers in one forward pass. */
export interface LayerGroupTiming {
  group: string;
  ms: number;
  /** Floating-point operations of the group's convolutions (2 per multiply-add). */
  flop: number;
}

/**
 * A network rebuilt for inference: normalised N×3×H×W float32 images to N×classes×H×W float32 logits
 * (channels-last in memory).
 */
export interface InferenceModel extends Layer {
  readonly precision: Precision;
  /** The forward pass, with the time and work of each layer group (stem, layer1…, u5…, head). */
  profile(x: Tensor): { logits: Tensor; groups: LayerGroupTiming[] };
  /** Frees the converted weights. */
  dispose(): void;
}

export interface OptimizeOptions {
  /** Default: defaultPrecision(). */
  precision?: Precision;
}

/**
 * An inference-only version of a trained network (ResUNet34, UNet: folded, fused and converted as
 * described above; FCN-8s: the plain network). The source model is left as it is; its weights are
 * read, not shared.
 */
export function optimizeForInference(model: SegmentationModel, options: OptimizeOptions = {}): InferenceModel {
  const precision = options.precision ?? defaultPrecision();
  const dtype: DType = precision === 'bf16' ? 'bfloat16' : 'float32';
  return noGrad(() => scope(() => {
    if (model instanceof ResUNet34) return new FoldedNetwork(precision, new FoldedResUNet34(new Weights(dtype), model));
    if (model instanceof UNet) return new FoldedNetwork(precision, new FoldedUNet(new Weights(dtype), model));
    if (model instanceof FCN8s) return new PlainNetwork(model, precision);
    throw new Error(`optimizeForInference: no inference version of ${model.constructor.name} (expected ResUNet34, UNet or FCN8s)`);
  }));
}

// ---- recording per-group timings -------------------------------------------------------------------

class Recorder {
  readonly groups: LayerGroupTiming[] = [];
  #flop = 0;
  #since = performance.now();

  addFlop(flop: number): void {
    this.#flop += flop;
  }

  /** Closes the group of everything run since the previous call. */
  end(group: string): void {
    const now = performance.now();
    this.groups.push({ group, ms: now - this.#since, flop: this.#flop });
    this.#flop = 0;
    this.#since = now;
  }
}

// ---- converted weights ---------------------------------------------------------------------------------

/** Converts folded float32 weights to the inference dtype and layout, and owns the results. */
class Weights {
  readonly #owned: Tensor[] = [];

  constructor(readonly dtype: DType) {}

  // Values are copied first: a conversion to the same dtype would otherwise share the model's memory.

  /** A convolution weight (O×I×kh×kw), channels-last, kept until dispose(). */
  weight(value: Tensor, dtype = this.dtype): Tensor {
    return this.#own(value.clone().to(dtype).contiguous(true));
  }

  /** A per-channel vector (bias, scale or shift); as a 1×C×1×1 map when broadcast over activations. */
  vector(value: Tensor, asMap = false, dtype = this.dtype): Tensor {
    const converted = value.clone().to(dtype);
    return this.#own(asMap ? converted.reshape(1, value.size(0), 1, 1) : converted);
  }

  #own(tensor: Tensor): Tensor {
    this.#owned.push(keep(tensor));
    return tensor;
  }

  dispose(): void {
    for (const tensor of this.#owned) tensor.dispose();
  }
}

function pair(value: F.Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/** BatchNorm in eval mode as y = scale·x + shift (float32). */
function scaleShift(norm: BatchNorm2d): { scale: Tensor; shift: Tensor } {
  const scale = norm.weight.div(norm.runningVar.add(norm.eps).sqrt());
  return { scale, shift: norm.bias.sub(norm.runningMean.mul(scale)) };
}

/**
 * A convolution with what follows it fused or applied in place: ReLU, then scale·x + shift per channel.
 * With float32 set it runs in float32 whatever the inference dtype (the logits layer: bfloat16 logits
 * would be rounded to 8 significant bits, enough to flip near-ties of the class argmax).
 */
class FusedConv {
  readonly #float32: boolean;
  readonly #weight: Tensor;
  readonly #bias: Tensor | null;
  readonly #options: F.Conv2dOptions;
  readonly #relu: boolean;
  readonly #scale: Tensor | null;
  readonly #shift: Tensor | null;

  constructor(
    weights: Weights,
    conv: { weight: Tensor; bias: Tensor | null; stride: F.Pair; padding: F.Pair; dilation?: F.Pair; groups?: number },
    after: { relu: boolean; scale?: Tensor | null; shift?: Tensor | null; float32?: boolean },
  ) {
    this.#float32 = after.float32 ?? false;
    const dtype = this.#float32 ? 'float32' : weights.dtype;
    this.#weight = weights.weight(conv.weight, dtype);
    this.#bias = conv.bias === null ? null : weights.vector(conv.bias, false, dtype);
    this.#options = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation ?? 1, groups: conv.groups ?? 1 };
    this.#relu = after.relu;
    this.#scale = after.scale ? weights.vector(after.scale, true, dtype) : null;
    this.#shift = after.shift ? weights.vector(after.shift, true, dtype) : null;
  }

  forward(x: Tensor, recorder: Recorder | null): Tensor {
    const y = F.conv2d(this.#float32 ? x.to('float32') : x, this.#weight, this.#bias, this.#options);
    if (recorder !== null) {
      const [, inChannelsPerGroup = 0, kh = 0, kw = 0] = this.#weight.shape;
      recorder.addFlop(2 * y.numel * inChannelsPerGroup * kh * kw);
    }
    if (this.#relu) F.relu_(y);
    if (this.#scale !== null) y.mul_(this.#scale);
    if (this.#shift !== null) y.add_(this.#shift);
    return y;
  }
}

/** conv → BN folded: weights·scale, bias·scale + shift. */
function convBatchNorm(weights: Weights, conv: Conv2d, norm: BatchNorm2d, relu: boolean): FusedConv {
  const { scale, shift } = scaleShift(norm);
  const bias = conv.bias === null ? shift : conv.bias.mul(scale).add(shift);
  return new FusedConv(weights, { weight: conv.weight.mul(scale.reshape(-1, 1, 1, 1)), bias, ...conv.options }, { relu });
}

/**
 * conv → ReLU → BN (§7.1). The BN shift is returned for the caller to fold into the next 1×1 or 2×2
 * stride-2 convolution when deferShift is set, else added in place after the ReLU.
 */
function convReluBatchNorm(weights: Weights, block: ConvReluBatchNorm, deferShift: boolean): { conv: FusedConv; shift: Tensor | null } {
  const { conv, norm } = block;
  const { scale, shift } = scaleShift(norm);
  const positive = scale.amin().item() >= 0;
  const kept = deferShift ? null : shift;
  const fused = positive
    ? new FusedConv(weights, { weight: conv.weight.mul(scale.reshape(-1, 1, 1, 1)), bias: conv.bias!.mul(scale), ...conv.options }, { relu: true, shift: kept })
    : new FusedConv(weights, { weight: conv.weight, bias: conv.bias, ...conv.options }, { relu: true, scale, shift: kept });
  return { conv: fused, shift: deferShift ? shift : null };
}

/**
 * A 2×2 stride-2 transposed convolution (weight I×O×2×2) as a 1×1 convolution to 4·O channels ordered
 * (row offset, column offset, channel), with a preceding per-channel shift of its input folded into
 * the bias. Its output goes through scatter2x2().
 */
function upsamplingAs1x1(weights: Weights, up: ConvTranspose2d, inputShift: Tensor | null, float32 = false): FusedConv {
  const [kh, kw] = pair(up.options.stride);
  const [kernelH = 0, kernelW = 0] = up.weight.shape.slice(2);
  if (kh !== 2 || kw !== 2 || kernelH !== 2 || kernelW !== 2 || up.options.groups !== 1 || pair(up.options.padding).some((p) => p !== 0)) {
    throw new Error('optimizeForInference: only 2×2 stride-2 transposed convolutions without padding become 1×1 convolutions');
  }
  const [inChannels = 0, outChannels = 0] = up.weight.shape;
  const weight = up.weight.permute(2, 3, 1, 0).reshape(4 * outChannels, inChannels, 1, 1);
  let bias = (up.bias ?? empty([outChannels]).zero_()).repeat(4);
  if (inputShift !== null) bias = bias.add(weight.reshape(4 * outChannels, inChannels).matmul(inputShift));
  return new FusedConv(weights, { weight, bias, stride: 1, padding: 0 }, { relu: false, float32 });
}

/**
 * Writes the output of upsamplingAs1x1 (N×4C×H×W, channels-last) into target, an N×2H×2W×C view
 * (NHWC, any dtype): element (n, 2h+i, 2w+j, c) takes channel (2i+j)·C + c at (n, h, w).
 */
function scatter2x2(shuffled: Tensor, target: Tensor): void {
  const [n = 0, channels4 = 0, h = 0, w = 0] = shuffled.shape;
  const c = channels4 / 4;
  const source = shuffled.permute(0, 2, 3, 1).reshape(n, h, w, 2, 2, c).permute(0, 1, 3, 2, 4, 5);
  target.reshape(n, h, 2, w, 2, c).copy_(source);
}

/** A decoder stage: up-sampling scattered into the concatenation buffer beside the skip, two conv blocks. */
class FoldedUpBlock {
  readonly #up: FusedConv;
  readonly #conv1: FusedConv;
  readonly #conv2: FusedConv;
  /** The second block's BN shift, for the next 1×1/2×2 convolution. */
  readonly outputShift: Tensor | null;

  constructor(weights: Weights, block: UpBlock, inputShift: Tensor | null) {
    this.#up = upsamplingAs1x1(weights, block.up, inputShift);
    this.#conv1 = convReluBatchNorm(weights, block.conv1, false).conv;
    const second = convReluBatchNorm(weights, block.conv2, true);
    this.#conv2 = second.conv;
    this.outputShift = second.shift;
  }

  forward(x: Tensor, skip: Tensor, recorder: Recorder | null): Tensor {
    const up = this.#up.forward(x, recorder);
    const [n = 0, upChannels4 = 0, h = 0, w = 0] = up.shape;
    const upChannels = upChannels4 / 4;
    const extraRows = 2 * h - skip.size(2);
    const extraCols = 2 * w - skip.size(3);
    if (extraRows < 0 || extraCols < 0) {
      throw new Error(`UpBlock: the up-sampled map (${2 * h}×${2 * w}) is smaller than its skip map (${skip.size(2)}×${skip.size(3)})`);
    }
    const matched = extraRows === 0 && extraCols === 0 ? skip : F.pad(skip, [0, extraCols, 0, extraRows], 'reflect');
    const skipChannels = matched.size(1);
    const joined = empty([n, 2 * h, 2 * w, upChannels + skipChannels], { dtype: up.dtype, device: up.device });
    scatter2x2(up, joined.narrow(3, 0, upChannels));
    joined.narrow(3, upChannels, skipChannels).copy_(matched.permute(0, 2, 3, 1));
    const input = joined.permute(0, 3, 1, 2); // N×C×H×W with channels-last strides
    return this.#conv2.forward(this.#conv1.forward(input, recorder), recorder);
  }
}

// ---- the networks -----------------------------------------------------------------------------------

interface FoldedBody {
  readonly weights: Weights;
  /** float32 logits (channels-last) for a channels-last input in the inference dtype. */
  forward(x: Tensor, recorder: Recorder | null): Tensor;
}

class FoldedBasicBlock {
  readonly #conv1: FusedConv;
  readonly #conv2: FusedConv;
  readonly #downsample: FusedConv | null;

  constructor(weights: Weights, block: BasicBlock) {
    this.#conv1 = convBatchNorm(weights, block.conv1, block.bn1, true);
    this.#conv2 = convBatchNorm(weights, block.conv2, block.bn2, false);
    const down = block.downsample?.layers;
    this.#downsample = down ? convBatchNorm(weights, down[0] as Conv2d, down[1] as BatchNorm2d, false) : null;
  }

  forward(x: Tensor, recorder: Recorder | null): Tensor {
    const residual = this.#conv2.forward(this.#conv1.forward(x, recorder), recorder);
    const identity = this.#downsample === null ? x : this.#downsample.forward(x, recorder);
    return F.relu_(residual.add_(identity));
  }
}

class FoldedResUNet34 implements FoldedBody {
  readonly #stem: FusedConv;
  readonly #stages: FoldedBasicBlock[][];
  readonly #ups: FoldedUpBlock[];
  readonly #head: FusedConv;

  constructor(readonly weights: Weights, model: ResUNet34) {
    const { resnet } = model;
    this.#stem = convBatchNorm(weights, resnet.conv1, resnet.bn1, true);
    this.#stages = [resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4].map((stage) =>
      stage.layers.map((block) => new FoldedBasicBlock(weights, block as BasicBlock)));
    let shift: Tensor | null = null;
    this.#ups = [model.u5, model.u6, model.u7, model.u8].map((block) => {
      const folded = new FoldedUpBlock(weights, block, shift);
      shift = folded.outputShift;
      return folded;
    });
    this.#head = upsamplingAs1x1(weights, model.ce, shift, true);
  }

  forward(x: Tensor, recorder: Recorder | null): Tensor {
    const c1 = this.#stem.forward(x, recorder);
    recorder?.end('stem');
    let h = F.maxPool2d(c1, 3, { stride: 2, padding: 1 });
    const skips = [c1];
    this.#stages.forEach((stage, k) => {
      for (const block of stage) h = block.forward(h, recorder);
      if (k < 3) skips.push(h);
      recorder?.end(`layer${k + 1}`);
    });
    this.#ups.forEach((up, k) => {
      h = up.forward(h, skips[3 - k]!, recorder);
      recorder?.end(`u${k + 5}`);
    });
    const logits = this.#head.forward(h, recorder);
    const [n = 0, classes4 = 0, rows = 0, cols = 0] = logits.shape;
    const classes = classes4 / 4;
    const out = empty([n, 2 * rows, 2 * cols, classes], { device: logits.device });
    scatter2x2(logits, out);
    recorder?.end('head');
    return out.permute(0, 3, 1, 2);
  }
}

class FoldedUNet implements FoldedBody {
  readonly #down: FusedConv[][];
  readonly #ups: FoldedUpBlock[];
  readonly #head: FusedConv;

  constructor(readonly weights: Weights, model: UNet) {
    const stages: DownBlock[] = [model.c1, model.c2, model.c3, model.c4, model.cu];
    let shift: Tensor | null = null;
    this.#down = stages.map((stage, k) => {
      const first = convReluBatchNorm(weights, stage.conv1, false).conv;
      // The bottleneck's output feeds only u5's 2×2 up-sampling (dropout is off in eval mode).
      const second = convReluBatchNorm(weights, stage.conv2, k === stages.length - 1);
      shift = second.shift;
      return [first, second.conv];
    });
    this.#ups = [model.u5, model.u6, model.u7, model.u8].map((block) => {
      const folded = new FoldedUpBlock(weights, block, shift);
      shift = folded.outputShift;
      return folded;
    });
    const ce = model.ce;
    const finalShift = shift as Tensor | null;
    const bias = finalShift === null ? ce.bias : (ce.bias ?? empty([ce.weight.size(0)]).zero_()).add(ce.weight.reshape(ce.weight.size(0), -1).matmul(finalShift));
    this.#head = new FusedConv(weights, { weight: ce.weight, bias, ...ce.options }, { relu: false, float32: true });
  }

  forward(x: Tensor, recorder: Recorder | null): Tensor {
    const skips: Tensor[] = [];
    let h = x;
    this.#down.forEach(([first, second], k) => {
      h = second!.forward(first!.forward(k === 0 ? h : F.maxPool2d(h, 2), recorder), recorder);
      skips.push(h);
      recorder?.end(k === 4 ? 'cu' : `c${k + 1}`);
    });
    this.#ups.forEach((up, k) => {
      h = up.forward(h, skips[3 - k]!, recorder);
      recorder?.end(`u${k + 5}`);
    });
    const logits = this.#head.forward(h, recorder);
    const out = logits.to('float32');
    recorder?.end('head');
    return out;
  }
}

/** Runs a folded body: input conversion, scopes, recording. */
class FoldedNetwork implements InferenceModel {
  constructor(
    readonly precision: Precision,
    readonly body: FoldedBody,
  ) {}

  forward(x: Tensor): Tensor {
    return this.#run(x, null);
  }

  profile(x: Tensor): { logits: Tensor; groups: LayerGroupTiming[] } {
    const recorder = new Recorder();
    const logits = this.#run(x, recorder);
    return { logits, groups: recorder.groups };
  }

  #run(x: Tensor, recorder: Recorder | null): Tensor {
    return noGrad(() => scope(() => {
      const input = x.to(this.body.weights.dtype).contiguous(true);
      recorder?.end('input');
      return this.body.forward(input, recorder);
    }));
  }

  dispose(): void {
    this.body.weights.dispose();
  }
}

/** A network without foldable structure, in eval mode (bf16: under autocast). */
class PlainNetwork implements InferenceModel {
  constructor(
    readonly model: Module & Layer,
    readonly precision: Precision,
  ) {
    model.eval();
  }

  forward(x: Tensor): Tensor {
    return noGrad(() => scope(() =>
      this.precision === 'bf16'
        ? autocast(x.device === 'cpu' ? 'cpu' : 'cuda', 'bfloat16', () => this.model.forward(x)).to('float32')
        : this.model.forward(x)));
  }

  profile(x: Tensor): { logits: Tensor; groups: LayerGroupTiming[] } {
    const start = performance.now();
    const logits = this.forward(x);
    return { logits, groups: [{ group: 'all', ms: performance.now() - start, flop: 0 }] };
  }

  dispose(): void {
    // The plain model belongs to the caller.
  }
}
