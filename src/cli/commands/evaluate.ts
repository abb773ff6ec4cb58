// `histonuc evaluate`: the paper's tables and the field's metrics for a folder of predicted label
// images against a folder of ground-truth ones.
import { join } from 'node:path';

import { evaluateDirectories, formatMarkdownSummary, writeReportJson } from '../../eval/index.js';
import { stringFlag, UsageError } from '../args.js';
import type { Command } from '../command.js';

export const evaluateCommand: Command = {
  path: ['evaluate'],
  usage: 'histonuc evaluate --pred DIR --gt DIR [--json FILE]',
  summary: "score predicted label images: Tables 1 and 2 of the paper, Dice1, AJI, PQ, F_d, F_c",
  flags: {
    pred: { type: 'string', description: 'folder of predicted label images (<name>_label.png or <name>.png/.tif)' },
    gt: { type: 'string', description: 'folder of ground-truth label images' },
    json: { type: 'string', description: 'where to write the JSON report (default: PRED/evaluation.json)' },
  },
  async run(args) {
    const predDir = stringFlag(args, 'pred');
    const gtDir = stringFlag(args, 'gt');
    if (predDir === undefined || gtDir === undefined) throw new UsageError('--pred and --gt are required');
    const report = await evaluateDirectories({ predDir, gtDir });
    console.log(formatMarkdownSummary(report.summary));
    const jsonPath = stringFlag(args, 'json') ?? join(predDir, 'evaluation.json');
    writeReportJson(jsonPath, report);
    console.log(`\n${report.pairs.length} image(s) evaluated; per-image values in ${jsonPath}`);
  },
};
