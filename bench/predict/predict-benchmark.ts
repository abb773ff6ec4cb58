// End-to-end predict benchmark (issue 7): what a user sees predicting a folder of images with
// histonuc — read, forward (Predictor.probabilities at histonuc's default precision, with its default
// fitted 1024-px tiles or, with --tiling reference, the paper's 224/80 window of §10.2 as the Python side), post-processing (§10.4) and the exports `histonuc predict` writes by
// default — against the same pipeline written in Python with PyTorch, Pillow and scikit-image
// (bench/pytorch/predict_pipeline.py), with the same ResUNet34 weights, in one run on the same machine
// and the same thread count. Each side is one process with its model loaded once (one Python process
// per variant). The first image of each process is reported on its own (cold: first touch of memory,
// lazy initialisation, JIT); then the timed images go through every side in turn, alternating, and
// their medians are reported.
//
//   node dist/bench/predict/predict-benchmark.js [--images A.png,B.png,...] [--model CKPT]
//        [--map model|labels] [--labels DIR] [--rounds 3] [--threads 2] [--variants fp32,bf16-cl,fp32-cl]
//        [--tiling fitted|reference]
//
// --images: the first is the warm-up (cold) image, the timed rounds cycle through the others (through
// all of them when only one is given); default CoNSeP train_1 … train_<rounds + 1>. --model: a
// histonuc ResUNet34 checkpoint; without it, a randomly initialised ResUNet34 (the forward pass costs
// the same whatever the weights). --map: which probability map the post-processing and exports of
// both sides work on: 'model', each side's own network output (meaningful with trained weights), or
// 'labels', a map made from each image's ground truth <stem>_label.png in --labels (default: CoNSeP's
// labels; the 5-class training target, probability 0.8 on the target class and 0.05 on the others),
// the same bytes on both sides, so that they see realistic nucleus counts (the default without
// --model). The forward pass runs and is timed either way. --variants: the Python forward passes to
// compare with (fp32, bf16 = torch.autocast bfloat16, -cl = channels-last). Minor page faults of the
// post-processing are printed too (first touches of fresh memory, ~40 µs each on VMs).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

import { numberFlag, stringFlag, UsageError } from '../../src/cli/args.js';
import { trainingTarget } from '../../src/data/targets.js';
import { setNumThreads, tensor, type Tensor } from '../../src/engine/index.js';
import { writeNucleusOutputs, type OutputFormat } from '../../src/export/index.js';
import { readImage, readLabels } from '../../src/image/io.js';
import type { Raster } from '../../src/image/raster.js';
import { postprocess } from '../../src/infer/postprocess.js';
import { Predictor } from '../../src/infer/predictor.js';
import { isTiling } from '../../src/infer/tiling.js';
import { createModel } from '../../src/models/index.js';
import { OUTPUT_CLASSES, saveCheckpoint } from '../../src/train/checkpoint.js';
import { consepDir, referencePython, repoRoot } from '../../test/support/env.js';
import { benchOptions } from '../options.js';

const STAGES = ['read', 'forward', 'post', 'exports'] as const;
type Stage = (typeof STAGES)[number];
type StageTimes = Record<Stage, number>;
/** One image through one side: seconds and minor page faults per stage, and the nuclei found. */
interface ImageResult {
  times: StageTimes;
  faults: StageTimes;
  nuclei: number;
}
/** What `histonuc predict` writes for a plain image by default. */
const FORMATS: readonly OutputFormat[] = ['labels-png', 'overlay', 'geojson', 'csv', 'summary'];

const FLAGS = {
  images: { type: 'string', description: 'RGB images, comma-separated; the first is the warm-up (default: CoNSeP train_1 … train_<rounds+1>)' },
  model: { type: 'string', description: 'ResUNet34 checkpoint (default: random weights)' },
  map: { type: 'string', description: 'model or labels: the probability map post-processing works on' },
  labels: { type: 'string', description: 'directory of <stem>_label.png ground truth for --map labels (default: CoNSeP\'s)' },
  rounds: { type: 'string', description: 'timed images per side (default 3)' },
  threads: { type: 'string', description: 'threads on both sides (default 2)' },
  variants: { type: 'string', description: 'Python forward variants (default fp32,bf16-cl,fp32-cl)' },
  tiling: { type: 'string', description: "histonuc's window: fitted (its default, 1024-px tiles) or reference (the paper's 224/80, as Python)" },
} as const;
const { rounds, threads, imagePaths, givenModel, mapSource, labelsDir, variants, tiling } = benchOptions('node dist/bench/predict/predict-benchmark.js [options]', FLAGS, (args) => {
  const rounds = numberFlag(args, 'rounds', { integer: true, min: 1 }) ?? 3;
  const givenModel = stringFlag(args, 'model');
  const mapSource = stringFlag(args, 'map') ?? (givenModel === undefined ? 'labels' : 'model');
  if (mapSource !== 'model' && mapSource !== 'labels') throw new UsageError(`--map must be model or labels, got '${mapSource}'`);
  const variants = (stringFlag(args, 'variants') ?? 'fp32,bf16-cl,fp32-cl').split(',');
  const unknown = variants.find((variant) => !/^(fp32|bf16)(-cl)?$/.test(variant));
  if (unknown !== undefined) throw new UsageError(`unknown Python variant '${unknown}' (fp32, bf16, fp32-cl, bf16-cl)`);
  const tiling = stringFlag(args, 'tiling') ?? 'fitted';
  if (!isTiling(tiling)) throw new UsageError(`--tiling must be fitted or reference, got '${tiling}'`);
  return {
    rounds,
    threads: numberFlag(args, 'threads', { integer: true, min: 1 }) ?? 2,
    imagePaths: stringFlag(args, 'images')?.split(',') ??
      Array.from({ length: rounds + 1 }, (_, i) => join(consepDir, 'images', `train_${i + 1}.png`)),
    givenModel,
    mapSource,
    labelsDir: stringFlag(args, 'labels') ?? join(consepDir, 'labels'),
    variants,
    tiling,
  };
});
const window = tiling === 'reference' ? { tile: 224, overlap: 80, tiling } : { tiling };
const stemOf = (path: string): string => basename(path, extname(path));

/** The image of each round: round 0 is the warm-up, then the others in turn. */
function imageOfRound(round: number): string {
  if (round === 0 || imagePaths.length === 1) return imagePaths[0]!;
  return imagePaths[1 + ((round - 1) % (imagePaths.length - 1))]!;
}

/** A ResUNet34 checkpoint with the initial (random) weights. */
function randomCheckpoint(path: string): string {
  const network = createModel('resunet34');
  saveCheckpoint(path, {
    header: {
      format: 'histonuc-checkpoint', version: 1, model: 'resunet34', modelOptions: {},
      normalisation: { mean: [0.8, 0.65, 0.85], std: [0.16, 0.18, 0.12] }, classes: OUTPUT_CLASSES, mpp: 0.25,
    },
    model: network,
  });
  network.dispose();
  return path;
}

/** The map made from ground truth (see the head comment), also written to `file` for the Python side. */
async function probabilitiesFromLabels(path: string, file: string): Promise<Tensor> {
  const target = trainingTarget(await readLabels(path));
  const pixels = target.data.length;
  const classes = OUTPUT_CLASSES.length;
  const map = new Float32Array(classes * pixels).fill(0.05);
  for (let i = 0; i < pixels; i++) map[target.data[i]! * pixels + i] = 0.8;
  writeFileSync(file, new Uint8Array(map.buffer));
  return tensor(map, [classes, target.height, target.width]);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type Row = StageTimes & { 'end to end': number };
function medianTimes(list: readonly StageTimes[]): Row {
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, median(list.map((times) => times[stage]))])) as StageTimes;
  return { ...stages, 'end to end': median(list.map((times) => STAGES.reduce((sum, stage) => sum + times[stage], 0))) };
}

function formatResult({ times, faults, nuclei }: ImageResult): string {
  return `${STAGES.map((stage) => `${stage} ${times[stage].toFixed(2)} s`).join(', ')}; post ${faults.post} faults; ${nuclei} nuclei`;
}

/** bench/pytorch/predict_pipeline.py as a worker: the model loaded once, one line per image. */
class PythonPipeline {
  readonly #process: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterableIterator<string>;
  #stderr = '';

  constructor(checkpoint: string, threads: number, variant: string) {
    const script = resolve(repoRoot, 'bench', 'pytorch', 'predict_pipeline.py');
    this.#process = spawn(referencePython, [script, JSON.stringify({ checkpoint, threads, variant })], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
    });
    this.#process.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#lines = createInterface({ input: this.#process.stdout })[Symbol.asyncIterator]();
  }

  ready(): Promise<{ load_s: number; torch: string }> {
    return this.#next();
  }

  run(image: string, out: string, map: string | null): Promise<ImageResult> {
    this.#process.stdin.write(`${JSON.stringify({ image, out, map })}\n`);
    return this.#next();
  }

  close(): void {
    this.#process.stdin.end('\n');
  }

  async #next<T>(): Promise<T> {
    const { value, done } = await this.#lines.next();
    if (done) throw new Error(`the Python pipeline stopped: ${this.#stderr}`);
    return JSON.parse(value) as T;
  }
}

/** One markdown table: the stages of every side, with PyTorch's time over histonuc's. */
function printTable(title: string, rows: ReadonlyMap<string, Row>, precision: string): void {
  console.log(`\n${title}`);
  const header = ['stage', `histonuc (${precision}) s`, ...variants.flatMap((v) => [`python ${v} s`, `ratio vs ${v}`])];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  const ours = rows.get('histonuc')!;
  for (const stage of [...STAGES, 'end to end'] as const) {
    const cells = [stage, ours[stage].toFixed(3)];
    for (const v of variants) {
      const theirs = rows.get(`python ${v}`)![stage];
      cells.push(theirs.toFixed(3), `${(theirs / ours[stage]).toFixed(2)}×`);
    }
    console.log(`| ${cells.join(' | ')} |`);
  }
}

async function main(): Promise<void> {
  setNumThreads(threads);
  const scratch = mkdtempSync(join(tmpdir(), 'histonuc-predict-bench-'));
  const pythons = new Map<string, PythonPipeline>();
  try {
    const checkpoint = givenModel ?? randomCheckpoint(join(scratch, 'resunet34-random.safetensors'));
    const loadStart = performance.now();
    const predictor = new Predictor(checkpoint, window);
    const ourLoad = (performance.now() - loadStart) / 1000;
    if (predictor.header.model !== 'resunet34') throw new Error(`${checkpoint}: a ${predictor.header.model} checkpoint; this benchmark runs ResUNet34`);
    for (const variant of variants) pythons.set(`python ${variant}`, new PythonPipeline(checkpoint, threads, variant));
    const ready = await Promise.all([...pythons.values()].map((python) => python.ready()));

    const ours = async (imagePath: string, map: Tensor | null, out: string): Promise<ImageResult> => {
      const times = {} as StageTimes;
      const faults = {} as StageTimes;
      let t = performance.now();
      let f = process.resourceUsage().minorPageFault;
      const lap = (stage: Stage): void => {
        const now = performance.now();
        const nowFaults = process.resourceUsage().minorPageFault;
        times[stage] = (now - t) / 1000;
        faults[stage] = nowFaults - f;
        t = now;
        f = nowFaults;
      };
      const image = await readImage(imagePath);
      if (!(image.data instanceof Uint8Array)) throw new Error(`${imagePath}: expected an 8-bit image`);
      const rgb = image as Raster<Uint8Array>;
      lap('read');
      const probabilities = predictor.probabilities(rgb, imagePath);
      lap('forward');
      try {
        const { labels, classProbabilities } = postprocess(map ?? probabilities);
        lap('post');
        const { summary } = await writeNucleusOutputs({
          labels, image: rgb, probabilities: classProbabilities, mpp: predictor.header.mpp, outDir: out, name: stemOf(imagePath), formats: FORMATS,
        });
        lap('exports');
        return { times, faults, nuclei: summary.counts.total };
      } finally {
        probabilities.dispose();
      }
    };

    const sides = ['histonuc', ...pythons.keys()];
    const results = new Map<string, ImageResult[]>(sides.map((side) => [side, []]));
    for (let round = 0; round <= rounds; round++) {
      const imagePath = imageOfRound(round);
      const mapFile = mapSource === 'labels' ? join(scratch, `${stemOf(imagePath)}.f32`) : null;
      const map = mapFile === null ? null : await probabilitiesFromLabels(join(labelsDir, `${stemOf(imagePath)}_label.png`), mapFile);
      try {
        for (const side of sides) {
          const out = join(scratch, side.replace(' ', '-'));
          const result = side === 'histonuc' ? await ours(imagePath, map, out) : await pythons.get(side)!.run(imagePath, out, mapFile);
          results.get(side)!.push(result);
          process.stderr.write(`${round === 0 ? 'warm-up' : `round ${round}/${rounds}`} ${stemOf(imagePath)} ${side}: ${formatResult(result)}\n`);
        }
      } finally {
        map?.dispose();
      }
    }
    predictor.dispose();

    const imageNames = (from: number, to: number): string =>
      [...new Set(Array.from({ length: to - from }, (_, i) => stemOf(imageOfRound(from + i))))].join(', ');
    console.log(`histonuc's default precision here: ${predictor.precision}, ${tiling === 'fitted' ? 'its default fitted tiles (at most 1024 px, overlap 80)' : "the paper's 224/80 window"}; ` +
      `Python: the paper's 224/80 window; ResUNet34 ${givenModel ? `weights ${givenModel}` : 'random weights'}, ` +
      `post-processing on ${mapSource === 'labels' ? `maps made from ground truth (${labelsDir})` : "each side's own network output"}; ` +
      `${threads} threads; PyTorch ${ready[0]!.torch}`);
    console.log(`model load (not in end to end): histonuc ${ourLoad.toFixed(2)} s, ${variants.map((v, i) => `python ${v} ${ready[i]!.load_s.toFixed(2)} s`).join(', ')}`);
    console.log(`nuclei in ${stemOf(imageOfRound(0))}: ${sides.map((side) => `${side} ${results.get(side)![0]!.nuclei}`).join(', ')}`);
    const cold = new Map(sides.map((side) => [side, medianTimes([results.get(side)![0]!.times])]));
    printTable(`first image of each process (cold), ${stemOf(imageOfRound(0))}:`, cold, predictor.precision);
    const warm = new Map(sides.map((side) => [side, medianTimes(results.get(side)!.slice(1).map((r) => r.times))]));
    printTable(`after the warm-up image, medians of ${rounds} images (${imageNames(1, rounds + 1)}), sides alternating:`, warm, predictor.precision);
    const postFaults = (side: string, list: readonly ImageResult[]): string => `${side} ${median(list.map((r) => r.faults.post))}`;
    console.log(`\nminor page faults in post-processing: first image ${sides.map((side) => postFaults(side, results.get(side)!.slice(0, 1))).join(', ')}; ` +
      `after (median) ${sides.map((side) => postFaults(side, results.get(side)!.slice(1))).join(', ')}`);
  } finally {
    for (const python of pythons.values()) python.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
