// nn.Module: a tree of modules owning parameters (trainable tensors) and buffers (state such as
// BatchNorm's running statistics), with PyTorch-style dotted names for state dicts.
import { noGrad } from '../runtime.js';
import { keep } from '../scope.js';
import type { DeviceName, DType, Tensor } from '../tensor.js';

export abstract class Module {
  #training = true;
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  /** Registers a trainable parameter under name; it survives every scope and requires grad. */
  protected registerParameter(name: string, value: Tensor): Tensor {
    this.#checkName(name);
    keep(value).requiresGrad_(true);
    this.#parameters.set(name, value);
    return value;
  }

  /** Registers a buffer (saved in the state dict, not trained). */
  protected registerBuffer(name: string, value: Tensor): Tensor {
    this.#checkName(name);
    this.#buffers.set(name, keep(value));
    return value;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this.#checkName(name);
    this.#children.set(name, module);
    return module;
  }

  #checkName(name: string): void {
    if (name === '' || name.includes('.')) throw new Error(`invalid member name '${name}'`);
    if (this.#parameters.has(name) || this.#buffers.has(name) || this.#children.has(name)) {
      throw new Error(`'${name}' is already registered in ${this.constructor.name}`);
    }
  }

  get training(): boolean {
    return this.#training;
  }

  /** Sets training mode (batch statistics, active dropout) on this module and all below it. */
  train(mode = true): this {
    this.#training = mode;
    for (const child of this.#children.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  namedChildren(): [string, Module][] {
    return [...this.#children];
  }

  /** Every module in the tree, depth first, with its dotted path ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const result: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.#children) result.push(...child.namedModules(prefix === '' ? name : `${prefix}.${name}`));
    return result;
  }

  namedParameters(): [string, Tensor][] {
    return this.namedModules().flatMap(([path, module]) =>
      [...module.#parameters].map(([name, tensor]): [string, Tensor] => [path === '' ? name : `${path}.${name}`, tensor]),
    );
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, tensor]) => tensor);
  }

  namedBuffers(): [string, Tensor][] {
    return this.namedModules().flatMap(([path, module]) =>
      [...module.#buffers].map(([name, tensor]): [string, Tensor] => [path === '' ? name : `${path}.${name}`, tensor]),
    );
  }

  /** Parameters and buffers by dotted name: the module's own tensors, not copies. */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's tensors by name. With strict (the default), missing and
   * unexpected names are errors; shapes must always match. Values are converted to each tensor's own
   * dtype and device.
   */
  loadStateDict(values: ReadonlyMap<string, Tensor>, options: { strict?: boolean; source?: string } = {}): void {
    const { strict = true, source = 'state dict' } = options;
    const own = this.stateDict();
    const problems: string[] = [];
    for (const [name, target] of own) {
      const value = values.get(name);
      if (value === undefined) {
        if (strict) problems.push(`missing '${name}'`);
      } else if (value.shape.join(',') !== target.shape.join(',')) {
        problems.push(`'${name}' has shape [${value.shape.join(', ')}], the model expects [${target.shape.join(', ')}]`);
      }
    }
    if (strict) for (const name of values.keys()) if (!own.has(name)) problems.push(`unexpected '${name}'`);
    if (problems.length > 0) {
      const shown = problems.slice(0, 12).join('; ');
      const more = problems.length > 12 ? `; and ${problems.length - 12} more` : '';
      throw new Error(`${source} does not fit ${this.constructor.name}: ${shown}${more}`);
    }
    noGrad(() => {
      for (const [name, target] of own) {
        const value = values.get(name);
        if (value !== undefined) target.copy_(value);
      }
    });
  }

  /** Moves every parameter and buffer to a device or converts the floating-point ones to a dtype. */
  to(target: DeviceName | DType): this {
    const isDevice = target === 'cpu' || target.startsWith('cuda');
    noGrad(() => {
      for (const [, tensor] of [...this.namedParameters(), ...this.namedBuffers()]) {
        if (!isDevice && !isFloating(tensor.dtype)) continue;
        tensor.setData(keep(tensor.to(target)));
      }
    });
    return this;
  }

  /** Frees every parameter and buffer now. The module cannot be used afterwards. */
  dispose(): void {
    for (const [, tensor] of [...this.namedParameters(), ...this.namedBuffers()]) tensor.dispose();
  }
}

function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** A module mapping one tensor to one tensor, so that it can sit in a Sequential. */
export interface Layer {
  forward(x: Tensor): Tensor;
}
