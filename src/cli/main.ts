#!/usr/bin/env node
// The histonuc command line.
import { formatFlags, parseArgs, UsageError } from './args.js';
import type { Command } from './command.js';
import { benchCommand } from './commands/bench.js';
import {
  datasetCheckCommand, datasetImportConsepCommand, datasetImportMapsCommand, datasetPreviewCommand, datasetSyntheticCommand,
} from './commands/dataset.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { infoCommand } from './commands/info.js';
import { modelInfoCommand, modelReleaseCommand } from './commands/model.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';

const commands: readonly Command[] = [
  demoCommand, predictCommand, trainCommand, evaluateCommand,
  datasetCheckCommand, datasetPreviewCommand, datasetSyntheticCommand, datasetImportConsepCommand, datasetImportMapsCommand,
  modelReleaseCommand, modelInfoCommand, infoCommand, benchCommand,
];

function help(): string {
  const lines = commands.map((c) => `  ${c.usage.padEnd(44)} ${c.summary}`);
  return `histonuc: find, outline and classify every nucleus in H&E images\n\nUsage:\n${lines.join('\n')}\n\nRun 'histonuc <command> --help' for a command's options.`;
}

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | null {
  const matches = commands.filter((c) => c.path.every((word, i) => argv[i] === word));
  const best = matches.sort((a, b) => b.path.length - a.path.length)[0];
  return best === undefined ? null : { command: best, rest: argv.slice(best.path.length) };
}

async function main(argv: readonly string[]): Promise<number> {
  const found = findCommand(argv);
  if (found === null) {
    const asked = argv.length > 0 && argv[0] !== '--help' && argv[0] !== 'help';
    (asked ? console.error : console.log)(asked ? `unknown command '${argv.join(' ')}'\n\n${help()}` : help());
    return asked ? 2 : 0;
  }
  const { command, rest } = found;
  if (rest.includes('--help')) {
    const options = Object.keys(command.flags).length > 0 ? `\n\nOptions:\n${formatFlags(command.flags)}` : '';
    console.log(`${command.usage}\n\n${command.summary}${options}`);
    return 0;
  }
  try {
    await command.run(parseArgs(rest, command.flags));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`histonuc ${command.path.join(' ')}: ${error.message}\nusage: ${command.usage}`);
      return 2;
    }
    console.error(`histonuc ${command.path.join(' ')}: ${(error as Error).message}`);
    if (process.env.HISTONUC_DEBUG) console.error((error as Error).stack);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
