// `histonuc demo` (the README's main command): with no data of the user's own, it generates a
// synthetic H&E dataset, trains a small model briefly (or reuses the one it trained before),
// predicts the held-out tiles, evaluates them and writes every output.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { loadDataset } from '../../data/dataset.js';
import { defaultThreadCount } from '../../engine/index.js';
import { writeSyntheticDataset } from '../../data/synthetic.js';
import { evaluateDataset, formatMarkdownSummary, writeReportJson, type DatasetReport, type LabelPair } from '../../eval/index.js';
import { writeNucleusOutputs } from '../../export/index.js';
import { Predictor } from '../../infer/predictor.js';
import { resolveConfig } from '../../train/config.js';
import { readLog } from '../../train/run-log.js';
import { BEST_CHECKPOINT, train } from '../../train/trainer.js';
import { numberFlag, stringFlag } from '../args.js';
import type { Command } from '../command.js';

export interface DemoOptions {
  dir: string;
  epochs?: number;
  threads?: number;
  /** Train again even where the folder holds a model trained before. */
  retrain?: boolean;
  log?: (line: string) => void;
}

/** The whole demo; returns the evaluation of the held-out tiles. */
export async function runDemo(options: DemoOptions): Promise<{ report: DatasetReport; outDir: string }> {
  const { dir, epochs = 8, threads = defaultThreadCount(), log = (line: string) => console.log(line) } = options;
  const dataDir = join(dir, 'data');
  const runDir = join(dir, 'run');
  const outDir = join(dir, 'predictions');
  if (options.retrain) rmSync(runDir, { recursive: true, force: true });
  if (!existsSync(dataDir)) {
    log(`1/4 generating synthetic H&E tiles in ${dataDir}`);
    await writeSyntheticDataset(dataDir, { count: 16, width: 256, height: 256, seed: 1, valFraction: 0.125, testFraction: 0.125 });
  } else {
    log(`1/4 using the synthetic tiles in ${dataDir}`);
  }

  const best = join(runDir, BEST_CHECKPOINT);
  if (existsSync(best) && readLog(runDir).length >= epochs) {
    log(`2/4 reusing the model trained before: ${best} (--retrain to train again)`);
  } else {
    log(`2/4 training a small U-Net on 128-px crops (${runDir})`);
    const config = resolveConfig({
      data: dataDir, out: runDir, model: 'unet', epochs, cropSize: 128, lr: 1e-3, perceptualWeight: 0,
      precision: 'fp32', selection: 'f1', threads, workers: 1, mpp: 0.25,
    });
    await train(config, { resume: true, log: (line) => log(`    ${line}`) });
  }

  log(`3/4 predicting the held-out tiles into ${outDir}`);
  const predictor = new Predictor(best);
  const pairs: LabelPair[] = [];
  try {
    for (const sample of await loadDataset(dataDir, 'test')) {
      const nuclei = predictor.predict(sample.image, sample.name);
      await writeNucleusOutputs({ labels: nuclei.labels, image: sample.image, probabilities: nuclei.classProbabilities, mpp: 0.25, outDir, name: sample.name });
      pairs.push({ name: sample.name, pred: nuclei.labels, gt: sample.labels });
    }
  } finally {
    predictor.dispose();
  }
  const report = evaluateDataset(pairs);
  writeReportJson(join(outDir, 'evaluation.json'), report);
  return { report, outDir };
}

export const demoCommand: Command = {
  path: ['demo'],
  usage: 'histonuc demo [--out DIR] [--epochs N] [--retrain]',
  summary: 'synthetic data → train a small U-Net → predict → evaluate → all outputs (minutes on 2 cores)',
  flags: {
    out: { type: 'string', description: 'demo folder (default histonuc-demo)' },
    epochs: { type: 'string', description: 'training epochs (default 8)' },
    threads: { type: 'string', description: 'libtorch threads (default: one per physical core)' },
    retrain: { type: 'boolean', description: 'train again even if the demo folder holds a trained model' },
  },
  async run(args) {
    const started = performance.now();
    const { report, outDir } = await runDemo({
      dir: stringFlag(args, 'out') ?? 'histonuc-demo',
      epochs: numberFlag(args, 'epochs', { integer: true, min: 1 }),
      threads: numberFlag(args, 'threads', { integer: true, min: 1 }),
      retrain: args.flags.has('retrain'),
    });
    console.log('4/4 evaluation against the ground truth\n');
    console.log(formatMarkdownSummary(report.summary, 'histonuc demo (U-Net, synthetic)'));
    console.log(`\nOutputs in ${outDir}: label images, overlays, QuPath GeoJSON, per-nucleus CSV, summaries, evaluation.json`);
    console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  },
};
