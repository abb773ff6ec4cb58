// Timing and convolution work of parts of a network during a real forward pass, without changing
// the network's code: the forward methods of chosen modules are wrapped on the instances (an own
// property shadowing the class's method) for the duration of a measurement, then unwrapped.
import { Conv2d, ConvTranspose2d, type Module, type Tensor } from '../engine/index.js';

/** Time and convolution work of one group of layers (ms summed over the calls measured). */
export interface GroupTiming {
  group: string;
  ms: number;
  /** Floating-point operations of the group's convolutions (2 per multiply-add). */
  flop: number;
}

type Forward = (...args: Tensor[]) => unknown;

/**
 * Measures named groups of modules: each call of a group's modules' forward adds its wall time to the
 * group, and every convolution run inside it adds its FLOP. Groups must not nest. Call restore()
 * when done: the modules are then exactly as before.
 */
export class LayerGroups {
  readonly #timings = new Map<string, GroupTiming>();
  readonly #restore: (() => void)[] = [];
  #current: GroupTiming | null = null;

  constructor(groups: readonly (readonly [string, readonly Module[]])[]) {
    // Convolutions are wrapped first, so that a convolution that is itself a group's module counts
    // its work inside the group's wrapper.
    for (const [, modules] of groups) {
      for (const module of modules) {
        for (const [, inner] of module.namedModules()) {
          if (inner instanceof Conv2d || inner instanceof ConvTranspose2d) this.#countConvolutions(inner);
        }
      }
    }
    for (const [group, modules] of groups) {
      const timing = { group, ms: 0, flop: 0 };
      this.#timings.set(group, timing);
      for (const module of modules) {
        this.#wrap(module, (run) => {
          const start = performance.now();
          this.#current = timing;
          try {
            return run();
          } finally {
            this.#current = null;
            timing.ms += performance.now() - start;
          }
        });
      }
    }
  }

  /** The groups in the order given, with what was measured since the last reset. */
  timings(): GroupTiming[] {
    return [...this.#timings.values()].map((t) => ({ ...t }));
  }

  reset(): void {
    for (const timing of this.#timings.values()) {
      timing.ms = 0;
      timing.flop = 0;
    }
  }

  restore(): void {
    // Last wrapped, first unwrapped: a module wrapped twice gets its own method back.
    for (const restore of this.#restore.splice(0).reverse()) restore();
  }

  #countConvolutions(conv: Conv2d | ConvTranspose2d): void {
    const [, k1, k2, k3] = conv.weight.shape as [number, number, number, number];
    this.#wrap(conv, (run, args) => {
      const output = run() as Tensor;
      // Multiply-adds: per output element of a convolution (in/groups)·kh·kw; per input element of a
      // transposed convolution (out/groups)·kh·kw (weights are out×in/g×kh×kw and in×out/g×kh×kw).
      const perElement = k1 * k2 * k3;
      const elements = conv instanceof ConvTranspose2d ? args[0]!.numel : output.numel;
      if (this.#current) this.#current.flop += 2 * elements * perElement;
      return output;
    });
  }

  #wrap(module: Module, around: (run: () => unknown, args: Tensor[]) => unknown): void {
    const target = module as unknown as { forward: Forward };
    const original = target.forward;
    const hadOwn = Object.hasOwn(target, 'forward');
    Object.defineProperty(target, 'forward', {
      configurable: true, writable: true,
      value: (...args: Tensor[]) => around(() => original.apply(target, args), args),
    });
    this.#restore.push(() => {
      if (hadOwn) Object.defineProperty(target, 'forward', { configurable: true, writable: true, value: original });
      else Reflect.deleteProperty(target, 'forward');
    });
  }
}
