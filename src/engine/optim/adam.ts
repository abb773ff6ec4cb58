// Adam (L2 weight decay added to the gradient, as torch.optim.Adam) and AdamW (decoupled weight
// decay), updating parameters in place. Parameters are named so that the state can be saved in a
// checkpoint next to the weights and restored into a freshly built model.
import { zeros } from '../factory.js';
import { native } from '../native.js';
import { keep } from '../scope.js';
import type { Tensor } from '../tensor.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

interface ParamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

/** The optimizer's state in checkpoint form: moment tensors by name and the per-parameter steps. */
export interface AdamStateDict {
  tensors: Map<string, Tensor>;
  steps: Record<string, number>;
}

export class Adam {
  lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly #params: ReadonlyMap<string, Tensor>;
  readonly #state = new Map<string, ParamState>();

  constructor(
    params: Iterable<[string, Tensor]>,
    options: AdamOptions = {},
    private readonly decoupled = false,
  ) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = options;
    if (!(lr >= 0)) throw new RangeError(`invalid learning rate ${lr}`);
    if (!(betas[0] >= 0 && betas[0] < 1 && betas[1] >= 0 && betas[1] < 1)) throw new RangeError(`invalid betas [${betas.join(', ')}]`);
    if (!(eps >= 0)) throw new RangeError(`invalid eps ${eps}`);
    if (!(weightDecay >= 0)) throw new RangeError(`invalid weight decay ${weightDecay}`);
    this.lr = lr;
    this.betas = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.#params = new Map(params);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const param of this.#params.values()) param.grad = null;
  }

  /** One update of every parameter that has a gradient (parameters without one are skipped), in one native call. */
  step(): void {
    const entries = [...this.#params];
    const hasGrad = native.hasGrads(entries.map(([, param]) => param.handle));
    const updated = entries.filter((_, i) => hasGrad[i]).map(([name, param]) => ({ param, state: this.#stateFor(name, param) }));
    native.adamStep(
      updated.map(({ param }) => param.handle),
      updated.map(({ state }) => state.expAvg.handle),
      updated.map(({ state }) => state.expAvgSq.handle),
      updated.map(({ state }) => state.step + 1),
      this.lr, this.betas[0], this.betas[1], this.eps, this.weightDecay, this.decoupled,
    );
    for (const { state } of updated) state.step += 1;
  }

  #stateFor(name: string, param: Tensor): ParamState {
    let state = this.#state.get(name);
    if (state === undefined) {
      const options = { dtype: param.dtype, device: param.device };
      state = { step: 0, expAvg: keep(zeros(param.shape, options)), expAvgSq: keep(zeros(param.shape, options)) };
      this.#state.set(name, state);
    }
    return state;
  }

  stateDict(): AdamStateDict {
    const tensors = new Map<string, Tensor>();
    const steps: Record<string, number> = {};
    for (const [name, state] of this.#state) {
      tensors.set(`${name}.exp_avg`, state.expAvg);
      tensors.set(`${name}.exp_avg_sq`, state.expAvgSq);
      steps[name] = state.step;
    }
    return { tensors, steps };
  }

  /** Restores a state saved by stateDict(); every entry must name a parameter of this optimizer. */
  loadStateDict(saved: AdamStateDict): void {
    for (const [name, step] of Object.entries(saved.steps)) {
      const param = this.#params.get(name);
      if (param === undefined) throw new Error(`optimizer state names '${name}', which is not a parameter of this model`);
      const expAvg = saved.tensors.get(`${name}.exp_avg`);
      const expAvgSq = saved.tensors.get(`${name}.exp_avg_sq`);
      if (expAvg === undefined || expAvgSq === undefined) throw new Error(`optimizer state for '${name}' lacks its moment tensors`);
      for (const moment of [expAvg, expAvgSq]) {
        if (moment.shape.join(',') !== param.shape.join(',')) {
          throw new Error(`optimizer state for '${name}' has shape [${moment.shape.join(', ')}], the parameter [${param.shape.join(', ')}]`);
        }
      }
      const state = this.#stateFor(name, param);
      state.step = step;
      state.expAvg.copy_(expAvg);
      state.expAvgSq.copy_(expAvgSq);
    }
  }
}

/** AdamW: weight decay applied to the weights directly (decoupled), as torch.optim.AdamW. */
export class AdamW extends Adam {
  constructor(params: Iterable<[string, Tensor]>, options: AdamOptions = {}) {
    super(params, { weightDecay: 1e-2, ...options }, true);
  }
}
