// A small, strict command-line parser: positional arguments and --flags (with a value, or boolean).
// Unknown flags are errors, so a typo never silently falls back to a default.

import { defaultPrecision, describePrecision, isPrecision, type DeviceName, type Precision } from '../engine/index.js';

export interface FlagSpec {
  /** 'string' flags take a value (--x v or --x=v); 'boolean' flags take none. */
  type: 'string' | 'boolean';
  description: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
}

export class UsageError extends Error {}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function numberFlag(args: ParsedArgs, name: string, options: { integer?: boolean; min?: number } = {}): number | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (options.integer && !Number.isInteger(value)) || (options.min !== undefined && value < options.min)) {
    throw new UsageError(`--${name} must be ${options.integer ? 'an integer' : 'a number'}${options.min !== undefined ? ` ≥ ${options.min}` : ''}, got '${text}'`);
  }
  return value;
}

/**
 * --precision bf16|fp32, or the device's default (bf16 where the hardware has it); the choice is
 * printed to stderr, with the reason when it was not asked for.
 */
export function precisionFlag(args: ParsedArgs, device: DeviceName = 'cpu'): Precision {
  const given = stringFlag(args, 'precision');
  if (given !== undefined && !isPrecision(given)) throw new UsageError(`--precision must be bf16 or fp32, got '${given}'`);
  const precision = given ?? defaultPrecision(device);
  process.stderr.write(`${describePrecision(precision, given !== undefined, device)}\n`);
  return precision;
}

export function formatFlags(specs: Readonly<Record<string, FlagSpec>>): string {
  return Object.entries(specs)
    .map(([name, spec]) => `  --${name}${spec.type === 'string' ? ' VALUE' : ''}`.padEnd(30) + spec.description)
    .join('\n');
}
