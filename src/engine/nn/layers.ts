// The layers histonuc's networks are built from, with PyTorch's parameter names, shapes and
// default initialisations.
import { empty, ones, zeros } from '../factory.js';
import * as F from '../functional.js';
import type { Pair } from '../functional.js';
import type { Tensor } from '../tensor.js';
import { defaultBiasInit_, defaultWeightInit_ } from './init.js';
import { Module, type Layer } from './module.js';

function pair(value: Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

export interface Conv2dConfig {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

export class Conv2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly options: Required<Omit<Conv2dConfig, 'bias'>>;

  constructor(inChannels: number, outChannels: number, kernel: Pair, config: Conv2dConfig = {}) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true } = config;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(`Conv2d: channels ${inChannels}→${outChannels} are not divisible by groups=${groups}`);
    }
    this.options = { stride, padding, dilation, groups };
    this.weight = this.registerParameter('weight', defaultWeightInit_(empty([outChannels, inChannels / groups, ...pair(kernel)])));
    this.bias = bias ? this.registerParameter('bias', defaultBiasInit_(empty([outChannels]), this.weight)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.options);
  }
}

export class ConvTranspose2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly options: Required<F.ConvTranspose2dOptions>;

  constructor(inChannels: number, outChannels: number, kernel: Pair, config: Conv2dConfig & { outputPadding?: Pair } = {}) {
    super();
    const { stride = 1, padding = 0, outputPadding = 0, dilation = 1, groups = 1, bias = true } = config;
    this.options = { stride, padding, outputPadding, dilation, groups };
    this.weight = this.registerParameter('weight', defaultWeightInit_(empty([inChannels, outChannels / groups, ...pair(kernel)])));
    this.bias = bias ? this.registerParameter('bias', defaultBiasInit_(empty([outChannels]), this.weight)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.options);
  }
}

export class Linear extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, bias = true) {
    super();
    this.weight = this.registerParameter('weight', defaultWeightInit_(empty([outFeatures, inFeatures])));
    this.bias = bias ? this.registerParameter('bias', defaultBiasInit_(empty([outFeatures]), this.weight)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

export class BatchNorm2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;

  constructor(
    readonly channels: number,
    readonly eps = 1e-5,
    readonly momentum = 0.1,
  ) {
    super();
    this.weight = this.registerParameter('weight', ones([channels]));
    this.bias = this.registerParameter('bias', zeros([channels]));
    this.runningMean = this.registerBuffer('running_mean', zeros([channels]));
    this.runningVar = this.registerBuffer('running_var', ones([channels]));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int64' }));
  }

  forward(x: Tensor): Tensor {
    if (this.training) this.numBatchesTracked.add_(1);
    return F.batchNorm(x, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}

export class ReLU extends Module implements Layer {
  constructor(readonly inplace = false) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.inplace ? F.relu_(x) : F.relu(x);
  }
}

export class MaxPool2d extends Module implements Layer {
  constructor(
    readonly kernel: Pair,
    readonly options: F.Pool2dOptions & { dilation?: Pair } = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernel, this.options);
  }
}

/** Element-wise dropout (nn.Dropout). */
export class Dropout extends Module implements Layer {
  constructor(readonly p = 0.5) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}

/** Channel-wise dropout (nn.Dropout2d). */
export class Dropout2d extends Module implements Layer {
  constructor(readonly p = 0.5) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.dropout2d(x, this.p, this.training);
  }
}

/** Layers applied in order, named '0', '1', … as torch.nn.Sequential names them. */
export class Sequential extends Module implements Layer {
  readonly layers: readonly (Module & Layer)[];

  constructor(...layers: (Module & Layer)[]) {
    super();
    this.layers = layers.map((layer, index) => this.registerModule(String(index), layer));
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((value, layer) => layer.forward(value), x);
  }
}
