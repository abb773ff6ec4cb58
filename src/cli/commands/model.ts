// `histonuc model release` turns a training run's checkpoint into a float16 model for users, with its
// training settings and validation metrics in the header; `histonuc model info` prints that record.
import { existsSync, readFileSync } from 'node:fs';

import type { Summary } from '../../eval/report.js';
import { readSafetensors } from '../../engine/index.js';
import { releaseModel } from '../../train/release.js';
import { stringFlag, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { SHIPPED_MODEL } from './predict.js';

export const modelReleaseCommand: Command = {
  path: ['model', 'release'],
  usage: 'histonuc model release --checkpoint CKPT --out FILE [--evaluation JSON]',
  summary: 'write a run checkpoint as a float16 model for predict, with its training record and metrics',
  flags: {
    checkpoint: { type: 'string', description: "a training run's best.safetensors (or last.safetensors)" },
    out: { type: 'string', description: 'the model file to write (.safetensors)' },
    evaluation: { type: 'string', description: "`histonuc evaluate`'s JSON for this checkpoint's validation predictions" },
    notes: { type: 'string', description: 'free text recorded in the header (e.g. what data it was trained on)' },
  },
  async run(args) {
    const checkpoint = stringFlag(args, 'checkpoint');
    const out = stringFlag(args, 'out');
    if (checkpoint === undefined || out === undefined) throw new UsageError('--checkpoint and --out are required');
    const evaluationPath = stringFlag(args, 'evaluation');
    const evaluation = evaluationPath === undefined ? undefined : readEvaluation(evaluationPath);
    const { bytes, release } = releaseModel({ checkpoint, out, evaluation, notes: stringFlag(args, 'notes') });
    console.log(`${out}: ${release.config.model}, epoch ${release.epoch}, float16, ${(bytes / 1e6).toFixed(1)} MB`);
    if (release.validation) console.log(`validation: ${formatMetrics(release.validation)}`);
  },
};

export const modelInfoCommand: Command = {
  path: ['model', 'info'],
  usage: 'histonuc model info [FILE]',
  summary: 'print how a model or checkpoint was trained and its validation metrics (default: the shipped model)',
  flags: {},
  async run(args) {
    const path = args.positional[0] ?? SHIPPED_MODEL;
    if (!existsSync(path)) throw new Error(`${path}: no such model file`);
    const text = readSafetensors(path).metadata.histonuc;
    if (text === undefined) throw new Error(`${path}: not a histonuc model (no "histonuc" header)`);
    console.log(JSON.stringify(JSON.parse(text), null, 2));
  },
};

function readEvaluation(path: string): Summary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read the evaluation (${(error as Error).message})`);
  }
  const summary = (parsed as { summary?: Summary } | null)?.summary;
  if (summary?.paper === undefined || summary.standard === undefined) throw new Error(`${path}: not a \`histonuc evaluate\` report (no summary)`);
  return summary;
}

function formatMetrics(metrics: Record<string, number | null>): string {
  return Object.entries(metrics).map(([name, value]) => `${name} ${value === null ? 'n/a' : Number.isInteger(value) ? value : value.toFixed(4)}`).join(', ');
}
