// Engine benchmark (issue 2): a ResNet-34 training step (224×224, batch 8, forward + cross-entropy +
// backward + Adam) in histonuc and in Python PyTorch (bench/pytorch/resnet34_step.py), float32 and
// bfloat16 autocast, same machine, same thread count; plus the cost of one small op call.
//   node dist/bench/engine/train-step.js [--threads 2] [--warmup 2] [--steps 5]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

import {
  Adam, autocast, F, Linear, manualSeed, Module, ones, randint, randn, scope, setNumThreads, type Tensor,
} from '../../src/engine/index.js';
import { resnet34Encoder, type ResNetEncoder } from '../../src/models/resnet.js';
import { numberFlag } from '../../src/cli/args.js';
import { benchOptions } from '../options.js';

class ResNet34Classifier extends Module {
  readonly encoder: ResNetEncoder = this.registerModule('encoder', resnet34Encoder());
  readonly fc = this.registerModule('fc', new Linear(512, 1000));

  forward(x: Tensor): Tensor {
    const features = F.adaptiveAvgPool2d(this.encoder.forward(x).c5, 1).reshape(x.size(0), 512);
    return this.fc.forward(features);
  }
}

function secondsPerStep(model: ResNet34Classifier, optimizer: Adam, x: Tensor, y: Tensor, warmup: number, steps: number, bf16: boolean): number {
  const step = (): void =>
    scope(() => {
      optimizer.zeroGrad();
      const logits = bf16 ? autocast('cpu', 'bfloat16', () => model.forward(x)) : model.forward(x);
      F.nllLoss(F.logSoftmax(logits.to('float32'), 1), y).backward();
      optimizer.step();
    });
  for (let i = 0; i < warmup; i++) step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (performance.now() - start) / 1000 / steps;
}

function perOpMicroseconds(): number {
  const a = ones([1]);
  const b = ones([1]);
  const run = (n: number): void => scope(() => { for (let i = 0; i < n; i++) a.add(b); });
  run(20000);
  const start = performance.now();
  for (let k = 0; k < 20; k++) run(10000);
  return ((performance.now() - start) * 1000) / 200000;
}

const { threads, warmup, steps } = benchOptions('node dist/bench/engine/train-step.js [options]', {
  threads: { type: 'string', description: 'libtorch threads on both sides (2)' },
  warmup: { type: 'string', description: 'untimed steps first (2)' },
  steps: { type: 'string', description: 'timed steps (5)' },
}, (args) => ({
  threads: numberFlag(args, 'threads', { integer: true, min: 1 }) ?? 2,
  warmup: numberFlag(args, 'warmup', { integer: true, min: 0 }) ?? 2,
  steps: numberFlag(args, 'steps', { integer: true, min: 1 }) ?? 5,
}));

setNumThreads(threads);
manualSeed(0);
const model = new ResNet34Classifier().train();
const optimizer = new Adam(model.namedParameters(), { lr: 1e-4 });
const x = randn([8, 3, 224, 224]);
const y = randint(0, 1000, [8]);
const ours = {
  fp32: secondsPerStep(model, optimizer, x, y, warmup, steps, false),
  bf16: secondsPerStep(model, optimizer, x, y, warmup, steps, true),
  op_us: perOpMicroseconds(),
};

const script = resolve(import.meta.dirname ?? '.', '..', '..', '..', 'bench', 'pytorch', 'resnet34_step.py');
const python = spawnSync(process.env.HISTONUC_PYTHON ?? '/usr/bin/python3', [script, String(threads), String(warmup), String(steps)], { encoding: 'utf8' });
if (python.status !== 0) throw new Error(`the PyTorch reference failed: ${python.stderr}`);
const theirs = JSON.parse(python.stdout.trim().split('\n').pop()!) as typeof ours;

console.log(`ResNet-34 training step, batch 8, 224×224, ${threads} threads (${steps} timed steps after ${warmup} warm-up)`);
console.log('| setting | histonuc (patches/s) | PyTorch (patches/s) | ratio |');
console.log('|---|---|---|---|');
for (const key of ['fp32', 'bf16'] as const) {
  const label = key === 'fp32' ? 'float32' : 'bfloat16 autocast';
  console.log(`| ${label} | ${(8 / ours[key]).toFixed(2)} | ${(8 / theirs[key]).toFixed(2)} | ${(theirs[key] / ours[key]).toFixed(2)}× |`);
}
console.log(`| one small op (add of 1-element tensors), µs | ${ours.op_us.toFixed(2)} | ${theirs.op_us.toFixed(2)} | ${(theirs.op_us / ours.op_us).toFixed(2)}× |`);
