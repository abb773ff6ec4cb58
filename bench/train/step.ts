// Training-speed benchmark (issues 6 and 10): the full ResUNet34 training step of REFERENCE_SPEC §9
// (batch 8, 224×224 crops of CoNSeP's 250×250 patches, weighted cross-entropy + 0.1·perceptual loss
// with VGG16, Adam) in histonuc (the trainer's trainStep and batch loader) and in Python PyTorch
// (bench/pytorch/train_step.py: the same networks and losses, the reference's PIL/scipy augmentation
// in DataLoader workers), with and without the perceptual loss, with the data loading included and
// without it (the step alone on one fixed batch); same machine, same threads, printed side by side.
//   node dist/bench/train/step.js [--threads 2] [--warmup 1] [--steps 3] [--workers 1] [--images 4]
//                                 [--precisions bf16,fp32] [--no-loading] [--no-python]
// The Python side runs the same precisions (bf16 as autocast); on a CPU without bfloat16 in hardware
// use --precisions fp32 (bfloat16 has no fast kernels there, on either side).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { numberFlag, stringFlag, UsageError } from '../../src/cli/args.js';
import { loadDataset } from '../../src/data/dataset.js';
import type { Batch } from '../../src/data/batch.js';
import { BatchLoader } from '../../src/data/loader.js';
import { prepareTrainingSet } from '../../src/data/training-set.js';
import { Adam, isPrecision, manualSeed, setNumThreads } from '../../src/engine/index.js';
import { createModel } from '../../src/models/index.js';
import type { Precision } from '../../src/engine/index.js';
import { DEFAULT_CONFIG } from '../../src/train/config.js';
import { perceptualVGG, trainStep } from '../../src/train/trainer.js';
import { consepDir, consepSkipReason, referencePython, repoRoot } from '../../test/support/env.js';
import { benchOptions, exitIfMissing } from '../options.js';

type Losses = 'perceptual' | 'plain';
type Timings = { step: number; loaded?: number };
type Results = Partial<Record<string, Partial<Record<Losses, Timings>>>>;

const options = benchOptions('node dist/bench/train/step.js [options]', {
  threads: { type: 'string', description: 'libtorch threads on both sides (2)' },
  warmup: { type: 'string', description: 'untimed steps before each timing (1)' },
  steps: { type: 'string', description: 'timed steps (3)' },
  workers: { type: 'string', description: 'data-loading workers on both sides (1)' },
  images: { type: 'string', description: 'CoNSeP images whose 16 patches each are sampled (4)' },
  precisions: { type: 'string', description: "histonuc's precisions (bf16,fp32)" },
  'no-loading': { type: 'boolean', description: 'time the step alone only' },
  'no-python': { type: 'boolean', description: 'skip the PyTorch side' },
}, (args) => {
  const precisions = (stringFlag(args, 'precisions') ?? 'bf16,fp32').split(',');
  const unknown = precisions.find((name) => !isPrecision(name));
  if (unknown !== undefined) throw new UsageError(`--precisions takes bf16 and fp32, got '${unknown}'`);
  return {
    threads: numberFlag(args, 'threads', { integer: true, min: 1 }) ?? 2,
    warmup: numberFlag(args, 'warmup', { integer: true, min: 0 }) ?? 1,
    steps: numberFlag(args, 'steps', { integer: true, min: 1 }) ?? 3,
    workers: numberFlag(args, 'workers', { integer: true, min: 0 }) ?? 1,
    imageCount: numberFlag(args, 'images', { integer: true, min: 1 }) ?? 4,
    precisions: precisions as Precision[],
    loading: !args.flags.has('no-loading'),
    python: !args.flags.has('no-python'),
  };
});
const { threads, warmup, steps, workers, imageCount, precisions, loading } = options;
const variants: Losses[] = ['perceptual', 'plain'];
const batchSize = 8;

exitIfMissing(consepSkipReason());

async function histonuc(): Promise<Results> {
  setNumThreads(threads);
  const set = prepareTrainingSet((await loadDataset(consepDir)).slice(0, imageCount));
  const loader = new BatchLoader(set, { batchSize, seed: 1, workers });
  const results: Results = {};
  try {
    let fixed: Batch | undefined;
    for await (const batch of loader.epoch(0)) {
      fixed = batch;
      break;
    }
    let epoch = 1;
    for (const precision of precisions) {
      results[precision] = {};
      for (const losses of variants) {
        manualSeed(0);
        const model = createModel('resunet34').train();
        const settings = { precision, perceptualWeight: losses === 'perceptual' ? DEFAULT_CONFIG.perceptualWeight : 0, device: 'cpu' as const };
        const vgg = perceptualVGG({ ...DEFAULT_CONFIG, ...settings });
        const optimizer = new Adam(model.namedParameters(), { lr: DEFAULT_CONFIG.lr, betas: DEFAULT_CONFIG.betas, weightDecay: DEFAULT_CONFIG.weightDecay });
        const step = (batch: Batch): void => void trainStep(model, vgg, optimizer, batch, settings, 0);
        const timeFixed = (count: number): number => {
          const start = performance.now();
          for (let i = 0; i < count; i++) step(fixed!);
          return (performance.now() - start) / 1000 / count;
        };
        timeFixed(warmup);
        const timings: Timings = { step: timeFixed(steps) };
        if (loading) {
          // Batches come from the loader's workers, which augment the next ones while a step runs.
          let done = 0;
          let start = 0;
          while (done < warmup + steps) {
            for await (const batch of loader.epoch(epoch)) {
              if (done === warmup) start = performance.now();
              step(batch);
              if (++done === warmup + steps) break;
            }
            epoch++;
          }
          timings.loaded = (performance.now() - start) / 1000 / steps;
        }
        results[precision][losses] = timings;
        model.dispose();
        vgg?.dispose();
      }
    }
  } finally {
    await loader.close();
  }
  return results;
}

function python(): Results {
  const script = join(repoRoot, 'bench', 'pytorch', 'train_step.py');
  const run = spawnSync(referencePython, [
    script, join(consepDir, 'images'), join(consepDir, 'labels'), '--threads', String(threads), '--warmup', String(warmup),
    '--steps', String(steps), '--workers', String(workers), '--image-count', String(imageCount), '--precisions', precisions.join(','),
    ...(loading ? [] : ['--no-loading']),
  ], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`the PyTorch reference failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Results;
}

const ours = await histonuc();
const theirs = options.python ? python() : {};

const pytorchName = (precision: Precision): string => (precision === 'bf16' ? 'PyTorch bf16 autocast' : 'PyTorch fp32');
const columns: [string, Results, string][] = [
  ...precisions.map((p): [string, Results, string] => [`histonuc ${p}`, ours, p]),
  ...precisions.map((p): [string, Results, string] => [pytorchName(p), theirs, p]),
];
const rate = (results: Results, precision: string, losses: Losses, key: keyof Timings): number | undefined => {
  const seconds = results[precision]?.[losses]?.[key];
  return seconds === undefined ? undefined : batchSize / seconds;
};
const show = (value: number | undefined, digits = 2): string => (value === undefined ? '–' : value.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`);

console.log(`ResUNet34 training step, batch ${batchSize}, 224×224 crops of CoNSeP 250×250 patches (${imageCount} images), Adam; ` +
  `${threads} threads, ${workers} loading worker(s) on both sides; ${steps} timed steps after ${warmup} warm-up; patches/s`);
console.log(`| loss | timing | ${columns.map(([name]) => name).join(' | ')} | ${precisions.map((p) => `${precisions[0]} / ${pytorchName(p)}`).join(' | ')} |`);
console.log(`|---|---|${columns.map(() => '---|').join('')}${precisions.map(() => '---|').join('')}`);
for (const losses of variants) {
  for (const key of ['step', 'loaded'] as const) {
    if (key === 'loaded' && !loading) continue;
    const rates = columns.map(([, results, precision]) => rate(results, precision, losses, key));
    const best = rates[0];
    const label = losses === 'perceptual' ? 'CE + 0.1·perceptual' : 'CE only';
    console.log(`| ${label} | ${key === 'step' ? 'step alone' : 'with data loading'} | ${rates.map((r) => show(r)).join(' | ')} | ` +
      `${precisions.map((_, k) => ratio(best, rates[precisions.length + k])).join(' | ')} |`);
  }
}
for (const [name, results, precision] of columns) {
  const withLoss = results[precision]?.perceptual?.step;
  const without = results[precision]?.plain?.step;
  if (withLoss !== undefined && without !== undefined) {
    console.log(`${name}: the perceptual loss costs ${(withLoss - without).toFixed(2)} s per step (${((withLoss / without - 1) * 100).toFixed(0)} % of the step without it)`);
  }
}
