// The training loop of REFERENCE_SPEC §9: Adam on augmented 224×224 crops of the training patches,
// weighted cross-entropy plus β·perceptual loss, validation on full images every epoch, best-model
// selection, an atomic checkpoint every epoch, exact resumption, a clean stop on Ctrl-C, and an
// error naming the step and batch when the loss stops being finite.
import { existsSync, mkdirSync, copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

import { loadDataset } from '../data/dataset.js';
import { REFERENCE_AUGMENTATION } from '../data/augment.js';
import { batchTensors, BatchLoader } from '../data/loader.js';
import { prepareTrainingSet } from '../data/training-set.js';
import type { Batch } from '../data/batch.js';
import type { InputNormalisation } from '../data/normalisation.js';
import type { SlidingWindowOptions } from '../infer/sliding-window.js';
import {
  Adam, autocast, checkDevice, type DeviceName, getDefaultRngState, manualSeed, scope, setDefaultRngState, setNumThreads, type Tensor,
} from '../engine/index.js';
import { createModel, createPerceptualVGG16, type ModelOptions, type SegmentationModel } from '../models/index.js';
import type { VGG16Features } from '../models/vgg16.js';
import { ProgressBar } from '../util/progress.js';
import { loadCheckpoint, OUTPUT_CLASSES, saveCheckpoint, type CheckpointHeader } from './checkpoint.js';
import { DEFAULT_CONFIG, type TrainConfig } from './config.js';
import { learningRateAt } from './lr-schedule.js';
import { appendLog, readLog, truncateLog, writeCurves, type EpochRecord } from './run-log.js';
import { trainingLosses } from './losses.js';
import { prepareValidation, validate, type ValidationImage, type ValidationScores } from './validation.js';

export const LAST_CHECKPOINT = 'last.safetensors';
export const BEST_CHECKPOINT = 'best.safetensors';

/** Where an interrupted run stands: the next batch to train, the best validation score so far. */
interface Progress {
  epoch: number;
  batch: number;
  bestScore: number;
  bestEpoch: number;
  /** Saved mid-epoch: the epoch's loss sums and seconds so far, so that its log record covers all of it. */
  partial?: EpochSums;
}

interface EpochSums {
  ce: number;
  perceptual: number;
  batches: number;
  seconds: number;
}

export interface TrainingState extends Progress {
  rngState: string;
  config: TrainConfig;
}

export class NonFiniteLossError extends Error {}

export interface TrainOptions {
  resume?: boolean;
  /** Stops after the current step when aborted (Ctrl-C); the state is saved so that --resume continues exactly. */
  signal?: AbortSignal;
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
}

export interface TrainResult {
  completedEpochs: number;
  stopped: boolean;
  bestScore: number;
  bestEpoch: number;
}

export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  setNumThreads(config.threads);
  checkDevice(config.device);
  mkdirSync(config.out, { recursive: true });
  const lastPath = join(config.out, LAST_CHECKPOINT);
  const resuming = options.resume === true && existsSync(lastPath);
  if (!resuming && existsSync(lastPath)) {
    throw new Error(`${config.out} already holds a training run; use --resume to continue it or choose another --out`);
  }
  if (options.resume && !resuming) log(`nothing to resume in ${config.out}: starting a new run`);

  const splitFile = config.split === '' ? undefined : config.split;
  const trainSamples = await loadDataset(config.data, 'train', splitFile);
  const valSamples = await loadDataset(config.data, 'val', splitFile);
  if (trainSamples.length === 0) throw new Error(`${config.data}: the train split is empty`);
  const checkpoint = resuming ? loadCheckpoint(lastPath) : null;
  const state = checkpoint ? trainingStateOf(checkpoint.header, lastPath, config) : null;
  const set = prepareTrainingSet(trainSamples, { normalisation: checkpoint?.header.normalisation });
  const validationImages = prepareValidation(valSamples);
  log(`training ${config.model} on ${trainSamples.length} images (${set.patches.length} patches), validating on ${valSamples.length}; ` +
    `${config.precision}, ${config.threads} threads, device ${config.device}`);

  manualSeed(config.seed);
  const model = buildModel(config);
  const vgg = perceptualVGG(config);
  if (config.device !== 'cpu') model.to(config.device);
  const optimizer = new Adam(model.namedParameters(), { lr: config.lr, betas: config.betas, weightDecay: config.weightDecay });
  if (checkpoint && state) {
    model.loadStateDict(checkpoint.modelState, { source: `checkpoint '${lastPath}'` });
    if (checkpoint.optimizerState) optimizer.loadStateDict(checkpoint.optimizerState);
    setDefaultRngState(Buffer.from(state.rngState, 'base64'));
    const best = state.bestEpoch === 0 ? 'no best epoch yet' : `best ${config.selection} score ${state.bestScore.toFixed(4)} at epoch ${state.bestEpoch}`;
    log(`resuming at epoch ${state.epoch + 1}, batch ${state.batch + 1} (${best})`);
  }
  const progress: Progress = state ?? { epoch: 0, batch: 0, bestScore: -Infinity, bestEpoch: 0 };
  truncateLog(config.out, progress.epoch);
  const header = (extra: Record<string, unknown>): CheckpointHeader => ({
    format: 'histonuc-checkpoint', version: 1, model: config.model, modelOptions: config.modelOptions,
    normalisation: set.normalisation, classes: OUTPUT_CLASSES, mpp: config.mpp, ...extra,
  });
  const save = (path: string, validation?: ValidationScores): void => {
    const training: TrainingState = { ...progress, rngState: Buffer.from(getDefaultRngState()).toString('base64'), config };
    saveCheckpoint(path, { header: header({ training, validation }), model, optimizer: optimizer.stateDict() });
  };

  const augmentation = { ...REFERENCE_AUGMENTATION, cropSize: config.cropSize };
  const loader = new BatchLoader(set, { batchSize: config.batchSize, seed: config.seed, workers: config.workers, augmentation });
  const window = { tile: config.valTile, overlap: config.valOverlap, tiling: 'reference' } as const;
  let stopped = false;
  try {
    while (progress.epoch < config.epochs && !stopped) {
      if (options.signal?.aborted) {
        stopped = true;
        save(lastPath);
        log(`stopped before epoch ${progress.epoch + 1}; the state is saved: run again with --resume to continue`);
        break;
      }
      const sums: EpochSums = progress.partial ?? { ce: 0, perceptual: 0, batches: 0, seconds: 0 };
      const started = performance.now() - sums.seconds * 1000;
      const bar = new ProgressBar({ label: `epoch ${progress.epoch + 1}/${config.epochs}`, total: loader.batchesPerEpoch, done: progress.batch, unit: 'batch' });
      for await (const batch of loader.epoch(progress.epoch, progress.batch)) {
        optimizer.lr = learningRateAt(config.lrSchedule, config.lr, progress.epoch * loader.batchesPerEpoch + batch.index, config.epochs * loader.batchesPerEpoch);
        const losses = trainStep(model, vgg, optimizer, batch, config, progress.epoch);
        sums.ce += losses.ce;
        sums.perceptual += losses.perceptual;
        sums.batches++;
        progress.batch = batch.index + 1;
        bar.tick(1, `loss ${(losses.ce + config.perceptualWeight * losses.perceptual).toFixed(4)}`);
        // Signal handlers (Ctrl-C, SIGTERM) run only on a turn of the event loop, and when the loader
        // is ahead of the steps its batches arrive as already-settled promises, which never give one.
        await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) {
          stopped = true;
          break;
        }
      }
      bar.finish();
      if (stopped) {
        progress.partial = { ...sums, seconds: (performance.now() - started) / 1000 };
        save(lastPath);
        log(`stopped during epoch ${progress.epoch + 1} after batch ${progress.batch}; the state is saved: run again with --resume to continue`);
        break;
      }
      const validation = validationImages.length > 0 ? evaluate(model, validationImages, set.normalisation, window) : undefined;
      const score = validation ? (config.selection === 'f1' ? validation.f1 : validation.combined) : -progress.epoch;
      progress.epoch += 1;
      progress.batch = 0;
      delete progress.partial;
      const improved = score > progress.bestScore;
      if (improved) {
        progress.bestScore = score;
        progress.bestEpoch = progress.epoch;
      }
      const record: EpochRecord = {
        epoch: progress.epoch,
        seconds: (performance.now() - started) / 1000,
        train: { ce: sums.ce / Math.max(1, sums.batches), perceptual: sums.perceptual / Math.max(1, sums.batches) },
        validation: validation ?? null,
        best: improved,
      };
      appendLog(config.out, record);
      save(lastPath, validation);
      if (improved) copyAtomically(lastPath, join(config.out, BEST_CHECKPOINT));
      if (progress.epoch % config.keepEvery === 0) copyAtomically(lastPath, join(config.out, `epoch-${progress.epoch}.safetensors`));
      await writeCurves(config.out, readLog(config.out));
      log(describeEpoch(record, config));
    }
  } finally {
    await loader.close();
  }
  return { completedEpochs: progress.epoch, stopped, bestScore: progress.bestScore, bestEpoch: progress.bestEpoch };
}

function buildModel(config: TrainConfig): SegmentationModel {
  const backboneWeights = config.encoderWeights === 'none' ? undefined : config.encoderWeights;
  if (backboneWeights !== undefined && config.model === 'unet') throw new Error('--encoder-weights applies to resunet34 and fcn8s; unet has no pretrained encoder');
  const options = { ...config.modelOptions, ...(backboneWeights === undefined ? {} : { backboneWeights }) };
  return createModel(config.model, options as ModelOptions[typeof config.model]).train();
}

function trainingStateOf(header: CheckpointHeader, path: string, config: TrainConfig): TrainingState {
  const state = header.training as TrainingState | undefined;
  if (state === undefined) throw new Error(`'${path}' holds no training state (a shipped model?); it cannot be resumed`);
  const mustMatch = ['model', 'data', 'batchSize', 'cropSize', 'seed', 'perceptualWeight', 'lr', 'lrSchedule'] as const;
  // A cosine schedule spans the run's epochs: changing them midway would bend the curve.
  for (const key of config.lrSchedule === 'cosine' ? [...mustMatch, 'epochs' as const] : mustMatch) {
    const before = state.config[key] ?? DEFAULT_CONFIG[key as keyof typeof DEFAULT_CONFIG];
    if (JSON.stringify(before) !== JSON.stringify(config[key])) {
      throw new Error(`cannot resume '${path}': it was trained with ${key} = ${JSON.stringify(before)}, now ${JSON.stringify(config[key])}`);
    }
  }
  // JSON has no -Infinity: a run stopped during its first epoch saved the initial best score as null.
  return { ...state, bestScore: state.bestScore ?? -Infinity };
}

/** The parts of a training step, in order. */
export type StepPhase = 'forward' | 'loss' | 'backward' | 'optimizer';
/** Runs one phase of a step and returns its result (a profiler times it; see src/perf). */
export type PhaseRunner = <T>(phase: StepPhase, run: () => T) => T;

/** What a training step needs to know besides the model, the losses' VGG and the optimizer. */
export interface StepSettings {
  precision: TrainConfig['precision'];
  perceptualWeight: number;
  device: DeviceName;
  /** Wraps each phase (default: runs it). */
  phases?: PhaseRunner;
}

/**
 * One optimisation step; returns the loss terms. Throws NonFiniteLossError naming the step.
 * In bf16 the model runs under bfloat16 autocast (convolutions in bfloat16 with the float32 master
 * weights cast once per step, BatchNorm statistics in float32) and the losses take float32 logits;
 * the perceptual VGG is expected in bfloat16 then (see perceptualVGG).
 */
export function trainStep(model: SegmentationModel, vgg: VGG16Features | null, optimizer: Adam, batch: Batch, settings: StepSettings, epoch: number): { ce: number; perceptual: number } {
  return scope(() => {
    const onHost = batchTensors(batch);
    const [images, targets, weights] = settings.device === 'cpu'
      ? [onHost.images, onHost.targets, onHost.weights]
      : [onHost.images.to(settings.device), onHost.targets.to(settings.device), onHost.weights.to(settings.device)];
    const phase: PhaseRunner = settings.phases ?? ((_, run) => run());
    const logits: Tensor = phase('forward', () => settings.precision === 'bf16'
      ? autocast(settings.device === 'cpu' ? 'cpu' : 'cuda', 'bfloat16', () => model.forward(images)).to('float32')
      : model.forward(images));
    const { ce, perceptual, loss, value } = phase('loss', () => {
      const terms = trainingLosses(logits, targets, weights, vgg);
      const total = terms.perceptual === null ? terms.ce : terms.ce.add(terms.perceptual.mul(settings.perceptualWeight));
      return { ...terms, loss: total, value: total.item() };
    });
    if (!Number.isFinite(value)) {
      throw new NonFiniteLossError(`the loss became ${value} at epoch ${epoch + 1}, batch ${batch.index + 1} ` +
        `(cross-entropy ${ce.item()}, perceptual ${perceptual?.item() ?? 'off'}); training stopped, the last good checkpoint is kept`);
    }
    phase('backward', () => loss.backward());
    phase('optimizer', () => {
      optimizer.step();
      optimizer.zeroGrad();
    });
    return { ce: ce.item(), perceptual: perceptual?.item() ?? 0 };
  });
}

/**
 * The frozen VGG16 of the perceptual loss for a run (null when β = 0), on the run's device; in
 * bfloat16 for bf16 runs, converted once (its weights never change).
 */
export function perceptualVGG(config: Pick<TrainConfig, 'perceptualWeight' | 'vggWeights' | 'seed' | 'device' | 'precision'>): VGG16Features | null {
  if (config.perceptualWeight <= 0) return null;
  const vgg = createPerceptualVGG16({ weights: config.vggWeights === 'random' ? undefined : config.vggWeights, seed: config.seed });
  if (config.device !== 'cpu') vgg.to(config.device);
  if (config.precision === 'bf16') vgg.to('bfloat16');
  return vgg;
}

function evaluate(model: SegmentationModel, images: readonly ValidationImage[], normalisation: InputNormalisation, window: SlidingWindowOptions): ValidationScores {
  model.eval();
  try {
    return validate(model, images, normalisation, window);
  } finally {
    model.train();
  }
}

function copyAtomically(from: string, to: string): void {
  const temporary = `${to}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, to);
}

function describeEpoch(record: EpochRecord, config: TrainConfig): string {
  const v = record.validation;
  const val = v ? ` | val loss ${v.loss.toFixed(4)} IoU ${v.iou.toFixed(4)} nuclei IoU ${v.iouNuclei.toFixed(4)} F1 ${v.f1.toFixed(4)} Dice ${v.dice.toFixed(4)}` : '';
  return `epoch ${record.epoch}/${config.epochs} (${record.seconds.toFixed(1)} s): train CE ${record.train.ce.toFixed(4)}` +
    `${config.perceptualWeight > 0 ? ` perceptual ${record.train.perceptual.toFixed(5)}` : ''}${val}${record.best ? ' (best so far)' : ''}`;
}
