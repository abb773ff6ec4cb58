// `histonuc train`: trains a network on a dataset folder (REFERENCE_SPEC §9 by default).
import { constants as osConstants } from 'node:os';

import { defaultPrecision, describePrecision, type DeviceName, type Precision } from '../../engine/index.js';
import { readConfigFile, resolveConfig, type Selection, type TrainConfig } from '../../train/config.js';
import type { LrSchedule } from '../../train/lr-schedule.js';
import { train } from '../../train/trainer.js';
import { numberFlag, stringFlag, UsageError, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';

const flags = {
  data: { type: 'string', description: 'dataset folder (images/, labels/, split.json)' },
  out: { type: 'string', description: 'run folder: checkpoints, log.jsonl, curves.png' },
  split: { type: 'string', description: 'split file {"train": [...], "val": [...]} (default: DIR/split.json)' },
  config: { type: 'string', description: 'JSON file with any of these settings (flags override it)' },
  model: { type: 'string', description: 'resunet34 (default), unet or fcn8s' },
  'model-options': { type: 'string', description: 'JSON options of the model, e.g. {"width":64} for the original U-Net' },
  epochs: { type: 'string', description: 'epochs (default 300)' },
  'batch-size': { type: 'string', description: 'patches per step (default 8)' },
  lr: { type: 'string', description: 'Adam learning rate (default 1e-4)' },
  'lr-schedule': { type: 'string', description: 'constant (default, the paper) or cosine (annealed to 1 % of --lr over the run)' },
  'weight-decay': { type: 'string', description: 'L2 weight decay (default 1e-4)' },
  'perceptual-weight': { type: 'string', description: 'β of the perceptual loss (default 0.1; 0 = the paper\'s "w.o. L_per")' },
  'vgg-weights': { type: 'string', description: 'random (default: a fixed seeded VGG16) or a torchvision vgg16 .pth/.safetensors' },
  'encoder-weights': { type: 'string', description: 'none (default) or torchvision resnet34/vgg16 weights for the encoder' },
  device: { type: 'string', description: 'cpu (default), cuda or cuda:N' },
  precision: { type: 'string', description: 'fp32 or bf16 (bfloat16 autocast; default bf16 where the CPU has it in hardware)' },
  threads: { type: 'string', description: 'libtorch threads (default: one per physical core)' },
  workers: { type: 'string', description: 'data-loading worker threads (default 1)' },
  seed: { type: 'string', description: 'random seed (default 1)' },
  selection: { type: 'string', description: 'best-model criterion: reference (pixel IoUs, §9) or f1 (object-level detection F1)' },
  'crop-size': { type: 'string', description: 'side of the augmented training crops (default 224, the paper)' },
  'val-tile': { type: 'string', description: 'validation sliding-window tile (default 224, the paper)' },
  'val-overlap': { type: 'string', description: 'validation sliding-window overlap (default 80, the paper)' },
  'keep-every': { type: 'string', description: 'keep a checkpoint copy every N epochs (default 30)' },
  mpp: { type: 'string', description: 'microns per pixel of the training images (default 0.25)' },
  resume: { type: 'boolean', description: 'continue the run in --out exactly where it stopped' },
} as const;

function configFromArgs(args: ParsedArgs): Partial<TrainConfig> {
  const fromFile = stringFlag(args, 'config');
  const config: Partial<TrainConfig> = fromFile === undefined ? {} : readConfigFile(fromFile);
  const set = <K extends keyof TrainConfig>(key: K, value: TrainConfig[K] | undefined): void => {
    if (value !== undefined) config[key] = value;
  };
  set('data', stringFlag(args, 'data'));
  set('out', stringFlag(args, 'out'));
  set('split', stringFlag(args, 'split'));
  set('model', stringFlag(args, 'model') as TrainConfig['model'] | undefined);
  const modelOptions = stringFlag(args, 'model-options');
  if (modelOptions !== undefined) {
    try {
      set('modelOptions', JSON.parse(modelOptions) as Record<string, unknown>);
    } catch {
      throw new UsageError(`--model-options must be a JSON object, got '${modelOptions}'`);
    }
  }
  set('epochs', numberFlag(args, 'epochs', { integer: true, min: 1 }));
  set('batchSize', numberFlag(args, 'batch-size', { integer: true, min: 1 }));
  set('lr', numberFlag(args, 'lr', { min: 0 }));
  set('lrSchedule', stringFlag(args, 'lr-schedule') as LrSchedule | undefined);
  set('weightDecay', numberFlag(args, 'weight-decay', { min: 0 }));
  set('perceptualWeight', numberFlag(args, 'perceptual-weight', { min: 0 }));
  set('vggWeights', stringFlag(args, 'vgg-weights'));
  set('encoderWeights', stringFlag(args, 'encoder-weights'));
  set('device', stringFlag(args, 'device') as DeviceName | undefined);
  set('precision', stringFlag(args, 'precision') as Precision | undefined);
  set('threads', numberFlag(args, 'threads', { integer: true, min: 1 }));
  set('workers', numberFlag(args, 'workers', { integer: true, min: 0 }));
  set('seed', numberFlag(args, 'seed', { integer: true, min: 0 }));
  set('selection', stringFlag(args, 'selection') as Selection | undefined);
  set('cropSize', numberFlag(args, 'crop-size', { integer: true, min: 32 }));
  set('valTile', numberFlag(args, 'val-tile', { integer: true, min: 32 }));
  set('valOverlap', numberFlag(args, 'val-overlap', { integer: true, min: 0 }));
  set('keepEvery', numberFlag(args, 'keep-every', { integer: true, min: 1 }));
  set('mpp', numberFlag(args, 'mpp', { min: 0 }));
  return config;
}

export const trainCommand: Command = {
  path: ['train'],
  usage: 'histonuc train --data DIR --out RUN [options]',
  summary: 'train a network (ResUNet34 by default) on a dataset folder',
  flags,
  async run(args) {
    const partial = configFromArgs(args);
    if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
    const precisionGiven = partial.precision !== undefined;
    partial.precision ??= defaultPrecision(partial.device ?? 'cpu');
    const config = resolveConfig(partial);
    process.stderr.write(`${describePrecision(config.precision, precisionGiven, config.device)}\n`);
    if (config.perceptualWeight > 0 && config.vggWeights === 'random') {
      process.stderr.write('note: the perceptual loss runs on a VGG16 with random weights: measured on CoNSeP, its gradient is ' +
        'under 0.1 % of the cross-entropy\'s while it triples the step (bench/RESULTS.md); --perceptual-weight 0 skips it, ' +
        '--vgg-weights PATH gives ImageNet weights\n');
    }
    // Ctrl-C, and SIGTERM (what batch schedulers and `kill` send before they kill), stop after the
    // current step with the state saved; the exit code is 128 + the signal's number, as the shell's.
    const controller = new AbortController();
    let exitCode = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      const code = 128 + osConstants.signals[signal];
      if (controller.signal.aborted) process.exit(code);
      exitCode = code;
      process.stderr.write(`\ninterrupted (${signal}): finishing the current step and saving (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once)\n`);
      controller.abort();
    };
    const signals = ['SIGINT', 'SIGTERM'] as const;
    for (const signal of signals) process.on(signal, onSignal);
    try {
      const result = await train(config, { resume: args.flags.has('resume'), signal: controller.signal });
      if (result.stopped) process.exitCode = exitCode;
      else process.stderr.write(`done: ${result.completedEpochs} epochs; best checkpoint from epoch ${result.bestEpoch} in ${config.out}/best.safetensors\n`);
    } finally {
      for (const signal of signals) process.off(signal, onSignal);
    }
  },
};
