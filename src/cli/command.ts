// The shape of a histonuc sub-command.
import type { FlagSpec, ParsedArgs } from './args.js';

export interface Command {
  /** Words after `histonuc` that select it, e.g. ['dataset', 'check']. */
  readonly path: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  run(args: ParsedArgs): Promise<void>;
}
