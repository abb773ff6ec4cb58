// Where a training step's time goes (issue 10): the trainer's own trainStep on a ResUNet34 with the
// perceptual VGG and Adam, with each encoder stage, decoder block and the head timed in the forward
// pass, and the loss, backward and optimizer phases timed as wholes.
import type { Batch } from '../data/batch.js';
import { Adam, manualSeed, randint, randn, scope } from '../engine/index.js';
import { ResUNet34 } from '../models/resunet34.js';
import type { Precision } from '../engine/index.js';
import { DEFAULT_CONFIG } from '../train/config.js';
import { perceptualVGG, trainStep, type StepPhase } from '../train/trainer.js';
import { LayerGroups, type GroupTiming } from './instrument.js';

export interface TrainProfileOptions {
  batchSize: number;
  cropSize: number;
  precision: Precision;
  /** With the perceptual loss (β = 0.1) or cross-entropy only. */
  perceptual: boolean;
  warmup: number;
  steps: number;
}

export interface TrainProfile {
  /** Mean per step: forward groups, the rest of the forward pass, the loss (VGG and the rest), backward, optimizer. */
  groups: GroupTiming[];
  stepMs: number;
  patchesPerSecond: number;
}

/**
 * Profiles the training step on random data (the speed does not depend on the values). Convolution
 * work is counted as run; the backward pass's is estimated as twice the network's forward work (input
 * and weight gradients) plus the predicted VGG branch's (input gradients only; the VGG is frozen).
 */
export function profileTrainStep(options: TrainProfileOptions): TrainProfile {
  const { batchSize, cropSize, precision, perceptual, warmup, steps } = options;
  manualSeed(0);
  const model = new ResUNet34().train();
  const settings = { precision, perceptualWeight: perceptual ? DEFAULT_CONFIG.perceptualWeight : 0, device: 'cpu' as const };
  const vgg = perceptualVGG({ ...DEFAULT_CONFIG, ...settings });
  const optimizer = new Adam(model.namedParameters(), { lr: DEFAULT_CONFIG.lr, betas: DEFAULT_CONFIG.betas, weightDecay: DEFAULT_CONFIG.weightDecay });
  const { resnet } = model;
  const layers = new LayerGroups([
    ['stem (conv1, bn1)', [resnet.conv1, resnet.bn1]],
    ['encoder layer1', [resnet.layer1]],
    ['encoder layer2', [resnet.layer2]],
    ['encoder layer3', [resnet.layer3]],
    ['encoder layer4', [resnet.layer4]],
    ['decoder u5', [model.u5]],
    ['decoder u6', [model.u6]],
    ['decoder u7', [model.u7]],
    ['decoder u8', [model.u8]],
    ['head (ce)', [model.ce]],
    ...(vgg === null ? [] : [['loss: perceptual VGG16, both branches', [vgg]] as const]),
  ]);
  const phases = new Map<StepPhase, number>();
  const timePhases = <T>(phase: StepPhase, run: () => T): T => {
    const start = performance.now();
    try {
      return run();
    } finally {
      phases.set(phase, (phases.get(phase) ?? 0) + performance.now() - start);
    }
  };
  try {
    const batch = randomBatch(batchSize, cropSize);
    for (let i = 0; i < warmup; i++) trainStep(model, vgg, optimizer, batch, settings, 0);
    layers.reset();
    const start = performance.now();
    for (let i = 0; i < steps; i++) trainStep(model, vgg, optimizer, batch, { ...settings, phases: timePhases }, 0);
    const stepMs = (performance.now() - start) / steps;
    const measured = layers.timings().map((t) => ({ ...t, ms: t.ms / steps, flop: t.flop / steps }));
    const vggTiming = vgg === null ? undefined : measured.pop();
    const phase = (name: StepPhase): number => (phases.get(name) ?? 0) / steps;
    const networkFlop = measured.reduce((sum, t) => sum + t.flop, 0);
    const forwardMs = measured.reduce((sum, t) => sum + t.ms, 0);
    const groups: GroupTiming[] = [
      ...measured,
      { group: 'forward, other (max-pool, casts)', ms: phase('forward') - forwardMs, flop: 0 },
      ...(vggTiming ? [vggTiming] : []),
      { group: `loss: cross-entropy${vgg ? ', softmax, MSE' : ''}`, ms: phase('loss') - (vggTiming?.ms ?? 0), flop: 0 },
      { group: 'backward', ms: phase('backward'), flop: 2 * networkFlop + (vggTiming?.flop ?? 0) / 2 },
      { group: 'optimizer (Adam)', ms: phase('optimizer'), flop: 0 },
    ];
    return { groups, stepMs, patchesPerSecond: (batchSize * 1000) / stepMs };
  } finally {
    layers.restore();
    model.dispose();
    vgg?.dispose();
  }
}

/** A batch of random normalised images, random classes and unit weights, as the loader makes them. */
function randomBatch(size: number, cropSize: number): Batch {
  return scope(() => {
    const images = randn([size, 3, cropSize, cropSize]).toTypedArray() as Float32Array<ArrayBuffer>;
    const targets = randint(0, 5, [size, cropSize, cropSize]).toTypedArray() as BigInt64Array<ArrayBuffer>;
    const weights = new Float32Array(size * cropSize * cropSize).fill(1);
    return { epoch: 0, index: 0, size, cropSize, images, targets, weights };
  });
}

