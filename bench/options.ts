// Command-line handling shared by the benchmark scripts: the CLI's strict option parser, --help, and
// a usage message (exit status 2) instead of a stack trace when an option is wrong; a clear message
// (exit status 1) when the data a benchmark needs is missing.
import { formatFlags, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from '../src/cli/args.js';

/** Parses process.argv with `specs` and reads the options with `read` (which may throw UsageError). */
export function benchOptions<T>(usage: string, specs: Readonly<Record<string, FlagSpec>>, read: (args: ParsedArgs) => T): T {
  const argv = process.argv.slice(2);
  const help = `usage: ${usage}\n\nOptions:\n${formatFlags(specs)}`;
  if (argv.includes('--help')) {
    console.log(help);
    process.exit(0);
  }
  try {
    return read(parseArgs(argv, specs));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${help}`);
    process.exit(2);
  }
}

/** Stops the benchmark with the reason its data or reference is missing (a skip reason from test/support/env). */
export function exitIfMissing(reason: string | false): void {
  if (!reason) return;
  console.error(`cannot run the benchmark: ${reason}`);
  process.exit(1);
}
