// `histonuc bench`: where the time goes on this machine (issue 10). Measures the machine's bfloat16
// and float32 3×3 convolution peak, then profiles the ResUNet34 training step (the trainer's step:
// per encoder stage, decoder block, head, loss, backward, optimizer) and the inference forward pass
// (the network rebuilt by optimizeForInference: per layer group), each group with its time, the
// convolution work, the GFLOP/s achieved and the fraction of the measured bf16 peak.
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';

import { cpuHasBf16, defaultThreadCount, getNumThreads, manualSeed, randn, scope, setNumThreads, type Precision } from '../../engine/index.js';
import { measureConvPeak } from '../../infer/conv-peak.js';
import { optimizeForInference } from '../../infer/optimize.js';
import { ResUNet34 } from '../../models/resunet34.js';
import type { GroupTiming } from '../../perf/instrument.js';
import { groupRows, groupTable } from '../../perf/report.js';
import { profileTrainStep } from '../../perf/train-profile.js';
import { numberFlag, precisionFlag, UsageError } from '../args.js';
import type { Command } from '../command.js';

export const benchCommand: Command = {
  path: ['bench'],
  usage: 'histonuc bench [--batch 8] [--crop 224] [--size 512] [--steps 2] [--precision bf16|fp32]',
  summary: 'profile the training step and inference on this machine: time per layer group, GFLOP/s, fraction of the bf16 conv peak',
  flags: {
    precision: { type: 'string', description: 'bf16 or fp32 (default: bf16 where the CPU has it in hardware)' },
    threads: { type: 'string', description: 'libtorch threads (default: one per physical core)' },
    batch: { type: 'string', description: 'training batch size (8)' },
    crop: { type: 'string', description: 'training crop side, a multiple of 32 (224)' },
    size: { type: 'string', description: 'inference input side, a multiple of 32 (512)' },
    steps: { type: 'string', description: 'timed training steps and inference passes (2)' },
    warmup: { type: 'string', description: 'untimed steps and passes first (1)' },
    'no-perceptual': { type: 'boolean', description: 'profile the step with the cross-entropy only' },
    'no-train': { type: 'boolean', description: 'skip the training step' },
    'no-infer': { type: 'boolean', description: 'skip inference' },
    json: { type: 'boolean', description: 'print one JSON object instead of tables' },
  },
  async run(args) {
    const precision = precisionFlag(args);
    const multipleOf32 = (name: string, fallback: number): number => {
      const value = numberFlag(args, name, { integer: true, min: 32 }) ?? fallback;
      if (value % 32 !== 0) throw new UsageError(`--${name} must be a multiple of 32, got ${value}`);
      return value;
    };
    const threads = numberFlag(args, 'threads', { integer: true, min: 1 }) ?? defaultThreadCount();
    const batchSize = numberFlag(args, 'batch', { integer: true, min: 1 }) ?? 8;
    const cropSize = multipleOf32('crop', 224);
    const size = multipleOf32('size', 512);
    const steps = numberFlag(args, 'steps', { integer: true, min: 1 }) ?? 2;
    const warmup = numberFlag(args, 'warmup', { integer: true, min: 0 }) ?? 1;
    const perceptual = !args.flags.has('no-perceptual');
    const json = args.flags.has('json');
    setNumThreads(threads);

    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown CPU', threads: getNumThreads(), bf16Hardware: cpuHasBf16(), amx: cpuHasAmx(),
    };
    const peak = { bf16: measureConvPeak('bfloat16'), fp32: measureConvPeak('float32') };
    const out: string[] = [
      `histonuc bench: ${machine.cpu}, ${machine.threads} libtorch threads; bfloat16 in hardware: ${machine.bf16Hardware ? 'yes' : 'no'}, AMX: ${machine.amx ? 'yes' : 'no'}`,
      `convolution peak (3×3, 256→256 channels, 64×64, channels-last, fastest of 10): bf16 ${peak.bf16.toFixed(1)} GFLOP/s, fp32 ${peak.fp32.toFixed(1)} GFLOP/s`,
    ];
    const report: Record<string, unknown> = { machine, peakGflops: peak, precision };
    const section = (title: string, groups: GroupTiming[]): ReturnType<typeof groupRows> => {
      const rows = groupRows(groups, peak.bf16);
      out.push('', title, ...groupTable(rows, peak.bf16, 'bf16 peak'));
      return rows;
    };

    if (!args.flags.has('no-train')) {
      const profile = profileTrainStep({ batchSize, cropSize, precision, perceptual, warmup, steps });
      const rows = section(
        `training step: ResUNet34, batch ${batchSize}, ${cropSize}×${cropSize}, ${precision}, cross-entropy${perceptual ? ' + 0.1·perceptual (VGG16)' : ' only'}, Adam; ` +
          `${profile.stepMs.toFixed(0)} ms per step = ${profile.patchesPerSecond.toFixed(2)} patches/s (mean of ${steps} after ${warmup} warm-up; backward work estimated)`,
        profile.groups,
      );
      report.train = { batchSize, cropSize, perceptual, stepMs: profile.stepMs, patchesPerSecond: profile.patchesPerSecond, groups: rows };
    }
    if (!args.flags.has('no-infer')) {
      const groups = profileInference(size, precision, warmup, steps);
      const total = groups.reduce((sum, g) => sum + g.ms, 0);
      const rows = section(
        `inference: ResUNet34 (optimizeForInference: BN folded, channels-last, ${precision}), 1×3×${size}×${size}; ` +
          `${total.toFixed(0)} ms per pass = ${((size * size) / 1e6 / (total / 1000)).toFixed(2)} megapixels/s (mean of ${steps} after ${warmup} warm-up)`,
        groups,
      );
      report.infer = { size, ms: total, groups: rows };
    }
    console.log(json ? JSON.stringify(report) : out.join('\n'));
  },
};

/** Mean per-group timings of the optimised network's forward pass on a random 1×3×size×size image. */
function profileInference(size: number, precision: Precision, warmup: number, passes: number): GroupTiming[] {
  manualSeed(0);
  const model = new ResUNet34().eval();
  const network = optimizeForInference(model, { precision });
  try {
    return scope(() => {
      const x = randn([1, 3, size, size]);
      for (let i = 0; i < warmup; i++) scope(() => network.forward(x));
      const sums = new Map<string, GroupTiming>();
      for (let i = 0; i < passes; i++) {
        scope(() => {
          for (const g of network.profile(x).groups) {
            const sum = sums.get(g.group) ?? { group: g.group, ms: 0, flop: 0 };
            sums.set(g.group, { group: g.group, ms: sum.ms + g.ms / passes, flop: sum.flop + g.flop / passes });
          }
        });
      }
      return [...sums.values()];
    });
  } finally {
    network.dispose();
    model.dispose();
  }
}

function cpuHasAmx(): boolean {
  try {
    return /\bamx_bf16\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}
