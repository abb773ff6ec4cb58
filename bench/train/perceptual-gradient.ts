// What the perceptual loss adds to a training step (issue 8; the paper's L_per with β = 0.1 on a
// VGG16 with random weights, as histonuc must train without ImageNet weights): on real CoNSeP batches,
// the gradient of β·L_per on the network's parameters against the gradient of the cross-entropy —
// the ratio of their norms and the cosine between them — for a randomly initialised ResUNet34 and for
// a trained one (the shipped model by default). A ratio of a few per cent means L_per barely moves
// the weights, whatever it costs in time.
//   node dist/bench/train/perceptual-gradient.js [--batches 4] [--images 4] [--checkpoint FILE] [--threads N]
import { numberFlag, stringFlag } from '../../src/cli/args.js';
import { SHIPPED_MODEL } from '../../src/cli/commands/predict.js';
import type { Batch } from '../../src/data/batch.js';
import { loadDataset } from '../../src/data/dataset.js';
import { BatchLoader, batchTensors } from '../../src/data/loader.js';
import { prepareTrainingSet } from '../../src/data/training-set.js';
import { manualSeed, scope, setNumThreads, type Tensor } from '../../src/engine/index.js';
import { createModel, type SegmentationModel } from '../../src/models/index.js';
import { loadCheckpoint, modelFromCheckpoint } from '../../src/train/checkpoint.js';
import { DEFAULT_CONFIG } from '../../src/train/config.js';
import { trainingLosses } from '../../src/train/losses.js';
import { perceptualVGG } from '../../src/train/trainer.js';
import { consepDir, consepSkipReason } from '../../test/support/env.js';
import { benchOptions, exitIfMissing } from '../options.js';

const { batchCount, imageCount, checkpointPath, threads } = benchOptions('node dist/bench/train/perceptual-gradient.js [options]', {
  batches: { type: 'string', description: 'CoNSeP training batches of 8 (4)' },
  images: { type: 'string', description: 'CoNSeP images whose patches are sampled (4)' },
  checkpoint: { type: 'string', description: 'the trained network (default: the shipped model)' },
  threads: { type: 'string', description: 'libtorch threads (default: one per physical core)' },
}, (args) => ({
  batchCount: numberFlag(args, 'batches', { integer: true, min: 1 }) ?? 4,
  imageCount: numberFlag(args, 'images', { integer: true, min: 1 }) ?? 4,
  checkpointPath: stringFlag(args, 'checkpoint') ?? SHIPPED_MODEL,
  threads: numberFlag(args, 'threads', { integer: true, min: 1 }),
}));
if (threads !== undefined) setNumThreads(threads);
exitIfMissing(consepSkipReason());

interface GradientComparison {
  ce: number;
  perceptual: number;
  /** ‖∇(β·L_per)‖ / ‖∇CE‖ over all parameters. */
  normRatio: number;
  cosine: number;
}

// Both gradients of one batch, in training mode (batch statistics), as the trainer computes the terms.
function compareGradients(model: SegmentationModel, batch: Batch, beta: number, vgg: NonNullable<ReturnType<typeof perceptualVGG>>): GradientComparison {
  return scope(() => {
    const { images, targets, weights } = batchTensors(batch);
    const parameters = model.parameters();
    const gradientsOf = (loss: Tensor, retain: boolean): Tensor[] => {
      for (const parameter of parameters) parameter.grad = null;
      loss.backward(null, retain);
      return parameters.map((parameter) => parameter.grad!.clone());
    };
    const terms = trainingLosses(model.forward(images), targets, weights, vgg);
    const ceGradients = gradientsOf(terms.ce, true);
    const perceptualGradients = gradientsOf(terms.perceptual!.mul(beta), false);
    let [dot, ceSquared, perceptualSquared] = [0, 0, 0];
    ceGradients.forEach((ceGradient, i) => {
      const perceptualGradient = perceptualGradients[i]!;
      dot += ceGradient.mul(perceptualGradient).sum().item();
      ceSquared += ceGradient.mul(ceGradient).sum().item();
      perceptualSquared += perceptualGradient.mul(perceptualGradient).sum().item();
    });
    for (const parameter of parameters) parameter.grad = null;
    return {
      ce: terms.ce.item(),
      perceptual: terms.perceptual!.item(),
      normRatio: Math.sqrt(perceptualSquared / ceSquared),
      cosine: dot / Math.sqrt(ceSquared * perceptualSquared),
    };
  });
}

const set = prepareTrainingSet((await loadDataset(consepDir)).slice(0, imageCount));
const loader = new BatchLoader(set, { batchSize: DEFAULT_CONFIG.batchSize, seed: 1, workers: 1 });
const batches: Batch[] = [];
try {
  for await (const batch of loader.epoch(0)) {
    batches.push(batch);
    if (batches.length === batchCount) break;
  }
} finally {
  await loader.close();
}
const beta = DEFAULT_CONFIG.perceptualWeight;
const vgg = perceptualVGG({ ...DEFAULT_CONFIG, precision: 'fp32' })!;
manualSeed(1);
const networks: [string, () => SegmentationModel][] = [
  ['ResUNet34, random initialisation', () => createModel('resunet34')],
  [`ResUNet34 trained (${checkpointPath})`, () => modelFromCheckpoint(loadCheckpoint(checkpointPath), checkpointPath)],
];
console.log(`β·L_per against the cross-entropy, gradients on the network's parameters, β = ${beta}, ${batches.length} CoNSeP batches of ${DEFAULT_CONFIG.batchSize} (224² crops), VGG16 with random weights (seed ${DEFAULT_CONFIG.seed})`);
console.log('| network | CE | L_per | β·L_per / CE | ‖∇β·L_per‖ / ‖∇CE‖ | cosine |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, build] of networks) {
  const model = build().train();
  const rows = batches.map((batch) => compareGradients(model, batch, beta, vgg));
  model.dispose();
  const mean = (pick: (row: GradientComparison) => number): number => rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
  const range = (pick: (row: GradientComparison) => number, digits: number): string =>
    `${Math.min(...rows.map(pick)).toFixed(digits)}–${Math.max(...rows.map(pick)).toFixed(digits)}`;
  console.log(`| ${name} | ${mean((r) => r.ce).toFixed(3)} | ${mean((r) => r.perceptual).toFixed(5)} | ${(beta * mean((r) => r.perceptual) / mean((r) => r.ce)).toExponential(1)} | ${range((r) => r.normRatio, 4)} | ${range((r) => r.cosine, 3)} |`);
}
vgg.dispose();
