// The arithmetic of training and inference: 'bf16' (bfloat16 convolutions; float32 master weights,
// statistics and losses) or 'fp32'. bf16 is the default where the hardware computes it natively.
import { cpuHasBf16 } from './runtime.js';
import type { DeviceName } from './tensor.js';

export type Precision = 'fp32' | 'bf16';

export function isPrecision(value: unknown): value is Precision {
  return value === 'fp32' || value === 'bf16';
}

/** bf16 where the CPU computes it natively (AVX512-BF16 or AMX) or on CUDA, fp32 elsewhere. */
export function defaultPrecision(device: DeviceName = 'cpu'): Precision {
  return device !== 'cpu' || cpuHasBf16() ? 'bf16' : 'fp32';
}

/** The line a command prints about its precision: which one, and why when it was not asked for. */
export function describePrecision(precision: Precision, given: boolean, device: DeviceName = 'cpu'): string {
  if (given) return `precision: ${precision}`;
  const why = device === 'cpu' ? `this CPU ${precision === 'bf16' ? 'has' : 'lacks'} bfloat16 in hardware` : `on ${device}`;
  return `precision: ${precision} (the default: ${why}; --precision bf16|fp32 to choose)`;
}
