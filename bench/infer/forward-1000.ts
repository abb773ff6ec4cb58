// Inference benchmark (issue 10): one ResUNet34 forward pass over a 1000×1000 image, zero-padded to
// 1024×1024 (the network needs sides divisible by 32) and run whole, in histonuc (the network rebuilt
// by optimizeForInference, bf16 and fp32) and in Python PyTorch (bench/pytorch/resunet34_infer.py:
// fp32, fp32 channels-last, bf16 autocast + channels-last), same machine, same libtorch, same thread
// count, one run. Prints time per forward, achieved GFLOP/s, the fraction of this machine's bf16 3×3
// convolution peak (measured here), the ratios, and where histonuc's bf16 time goes per layer group.
//   node dist/bench/infer/forward-1000.js [--threads 2] [--runs 3] [--size 1000]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import { manualSeed, randn, scope, setNumThreads, type Tensor } from '../../src/engine/index.js';
import { ResUNet34 } from '../../src/models/index.js';
import { measureConvPeak } from '../../src/infer/conv-peak.js';
import type { Precision } from '../../src/engine/index.js';
import { optimizeForInference, type InferenceModel, type LayerGroupTiming } from '../../src/infer/optimize.js';
import { numberFlag } from '../../src/cli/args.js';
import { benchOptions } from '../options.js';

const { threads, runs, size } = benchOptions('node dist/bench/infer/forward-1000.js [options]', {
  threads: { type: 'string', description: 'libtorch threads on both sides (2)' },
  runs: { type: 'string', description: 'timed forwards per setting after one warm-up; the fastest counts (3)' },
  size: { type: 'string', description: 'image side before padding to a multiple of 32 (1000)' },
}, (args) => ({
  threads: numberFlag(args, 'threads', { integer: true, min: 1 }) ?? 2,
  runs: numberFlag(args, 'runs', { integer: true, min: 1 }) ?? 3,
  size: numberFlag(args, 'size', { integer: true, min: 32 }) ?? 1000,
}));
const side = Math.ceil(size / 32) * 32;

setNumThreads(threads);
manualSeed(0);

function fastest(model: InferenceModel, x: Tensor): { seconds: number; groups: LayerGroupTiming[] } {
  scope(() => void model.forward(x));
  let best = { seconds: Infinity, groups: [] as LayerGroupTiming[] };
  for (let i = 0; i < runs; i++) {
    scope(() => {
      const start = performance.now();
      const { groups } = model.profile(x);
      const seconds = (performance.now() - start) / 1000;
      if (seconds < best.seconds) best = { seconds, groups };
    });
  }
  return best;
}

const peak = measureConvPeak('bfloat16');
const peakFp32 = measureConvPeak('float32');
const model = new ResUNet34().eval();
const x = randn([1, 3, side, side]);
const ours = Object.fromEntries((['bf16', 'fp32'] as Precision[]).map((precision) => {
  const optimised = optimizeForInference(model, { precision });
  const result = fastest(optimised, x);
  optimised.dispose();
  return [precision, result];
})) as Record<Precision, { seconds: number; groups: LayerGroupTiming[] }>;
const flop = ours.bf16.groups.reduce((sum, g) => sum + g.flop, 0);

const script = resolve(import.meta.dirname ?? '.', '..', '..', '..', 'bench', 'pytorch', 'resunet34_infer.py');
const python = spawnSync(process.env.HISTONUC_PYTHON ?? '/usr/bin/python3', [script, String(threads), '1', String(side), String(side), String(runs)], { encoding: 'utf8' });
if (python.status !== 0) throw new Error(`the PyTorch reference failed: ${python.stderr}`);
const theirs = JSON.parse(python.stdout.trim().split('\n').pop()!) as Record<'fp32' | 'fp32_channels_last' | 'bf16_autocast_channels_last', number>;

const rate = (seconds: number): string => (flop / seconds / 1e9).toFixed(0);
const ofPeak = (seconds: number): string => `${((100 * flop) / seconds / 1e9 / peak).toFixed(1)} %`;
const pythonBest = theirs.bf16_autocast_channels_last;
console.log(`ResUNet34 forward, ${size}×${size} padded to ${side}×${side}, batch 1, ${threads} threads, fastest of ${runs} after a warm-up`);
console.log(`${(flop / 1e9).toFixed(1)} GFLOP per forward; bf16 3×3 channels-last conv peak ${peak.toFixed(0)} GFLOP/s (fp32 ${peakFp32.toFixed(0)}), measured now`);
console.log('| setting | ms | GFLOP/s | of bf16 peak | speed vs PyTorch bf16 autocast + channels-last |');
console.log('|---|---:|---:|---:|---:|');
const rows: [string, number][] = [
  ['histonuc bf16 (optimised)', ours.bf16.seconds],
  ['histonuc fp32 (optimised)', ours.fp32.seconds],
  ['PyTorch bf16 autocast + channels-last', theirs.bf16_autocast_channels_last],
  ['PyTorch fp32', theirs.fp32],
  ['PyTorch fp32 channels-last', theirs.fp32_channels_last],
];
for (const [label, seconds] of rows) {
  console.log(`| ${label} | ${(seconds * 1000).toFixed(0)} | ${rate(seconds)} | ${ofPeak(seconds)} | ${(pythonBest / seconds).toFixed(2)}× |`);
}
const fastestPython = Math.min(theirs.fp32, theirs.fp32_channels_last, theirs.bf16_autocast_channels_last);
console.log(`histonuc bf16 vs PyTorch's fastest setting here: ${(fastestPython / ours.bf16.seconds).toFixed(2)}×`);
console.log('\nhistonuc bf16 per layer group (fastest run):');
console.log('| group | ms | GFLOP | GFLOP/s | of bf16 peak |');
console.log('|---|---:|---:|---:|---:|');
for (const g of ours.bf16.groups) {
  const gflops = g.ms > 0 ? g.flop / (g.ms / 1000) / 1e9 : 0;
  console.log(`| ${g.group} | ${g.ms.toFixed(1)} | ${(g.flop / 1e9).toFixed(1)} | ${g.flop > 0 ? gflops.toFixed(0) : '–'} | ${g.flop > 0 ? `${((100 * gflops) / peak).toFixed(0)} %` : '–'} |`);
}
