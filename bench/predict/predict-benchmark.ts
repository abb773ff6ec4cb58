// End-to-end predict benchmark (issue 7): one image through histonuc's predict path — read, forward
// (Predictor.probabilities: the §10.2 sliding window at histonuc's default settings and precision),
// post-processing (§10.4) and the exports `histonuc predict` writes by default — against the same
// pipeline written in Python with PyTorch, Pillow and scikit-image (bench/pytorch/predict_pipeline.py),
// with the same ResUNet34 weights, in one run on the same machine and the same thread count. Rounds
// alternate between the two sides after an untimed warm-up round of each; medians are printed.
//
//   node dist/bench/predict/predict-benchmark.js [--image PNG] [--model CKPT] [--map model|labels]
//        [--labels LABEL_PNG] [--rounds 3] [--threads 2] [--variants fp32,bf16-cl,fp32-cl]
//
// --model: a histonuc ResUNet34 checkpoint; without it, a randomly initialised ResUNet34 (the forward
// pass costs the same whatever the weights). --map: which probability map the post-processing and
// exports of both sides work on: 'model', each side's own network output (meaningful with trained
// weights), or 'labels', one map made from ground truth (the 5-class training target of --labels,
// probability 0.8 on the target class and 0.05 on the others), the same bytes on both sides, so that
// they see realistic nucleus counts (the default without --model). The forward pass runs and is timed
// either way. --variants: the Python forward passes to compare with (fp32, bf16 = torch.autocast
// bfloat16, -cl = channels-last).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

import { numberFlag, parseArgs, stringFlag } from '../../src/cli/args.js';
import { trainingTarget } from '../../src/data/targets.js';
import { setNumThreads, tensor, type Tensor } from '../../src/engine/index.js';
import { writeNucleusOutputs, type OutputFormat } from '../../src/export/index.js';
import { readImage, readLabels } from '../../src/image/io.js';
import type { Raster } from '../../src/image/raster.js';
import { postprocess } from '../../src/infer/postprocess.js';
import { Predictor } from '../../src/infer/predictor.js';
import { createModel } from '../../src/models/index.js';
import { OUTPUT_CLASSES, saveCheckpoint } from '../../src/train/checkpoint.js';
import { consepDir, referencePython, repoRoot } from '../../test/support/env.js';

const STAGES = ['read', 'forward', 'post', 'exports'] as const;
type Stage = (typeof STAGES)[number];
type StageTimes = Record<Stage, number>;
/** What `histonuc predict` writes for a plain image by default. */
const FORMATS: readonly OutputFormat[] = ['labels-png', 'overlay', 'geojson', 'csv', 'summary'];

const args = parseArgs(process.argv.slice(2), {
  image: { type: 'string', description: 'RGB image (default: CoNSeP train_1.png)' },
  model: { type: 'string', description: 'ResUNet34 checkpoint (default: random weights)' },
  map: { type: 'string', description: "model or labels: the probability map post-processing works on" },
  labels: { type: 'string', description: 'ground-truth label PNG for --map labels (default: the image\'s CoNSeP label)' },
  rounds: { type: 'string', description: 'timed rounds per side (default 3)' },
  threads: { type: 'string', description: 'threads on both sides (default 2)' },
  variants: { type: 'string', description: 'Python forward variants (default fp32,bf16-cl,fp32-cl)' },
});
const imagePath = stringFlag(args, 'image') ?? join(consepDir, 'images', 'train_1.png');
const stem = basename(imagePath, extname(imagePath));
const givenModel = stringFlag(args, 'model');
const mapSource = stringFlag(args, 'map') ?? (givenModel === undefined ? 'labels' : 'model');
if (mapSource !== 'model' && mapSource !== 'labels') throw new Error(`--map must be model or labels, got '${mapSource}'`);
const labelsPath = stringFlag(args, 'labels') ?? join(consepDir, 'labels', `${stem}_label.png`);
const rounds = numberFlag(args, 'rounds', { integer: true, min: 1 }) ?? 3;
const threads = numberFlag(args, 'threads', { integer: true, min: 1 }) ?? 2;
const variants = (stringFlag(args, 'variants') ?? 'fp32,bf16-cl,fp32-cl').split(',');
for (const variant of variants) {
  if (!/^(fp32|bf16)(-cl)?$/.test(variant)) throw new Error(`unknown Python variant '${variant}' (fp32, bf16, fp32-cl, bf16-cl)`);
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

function medianTimes(list: StageTimes[]): StageTimes & { 'end to end': number } {
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, median(list.map((times) => times[stage]))])) as StageTimes;
  return { ...stages, 'end to end': median(list.map((times) => STAGES.reduce((sum, stage) => sum + times[stage], 0))) };
}

function formatTimes(times: StageTimes): string {
  return STAGES.map((stage) => `${stage} ${times[stage].toFixed(2)} s`).join(', ');
}

/** bench/pytorch/predict_pipeline.py as a worker: the model loaded once, one line per pipeline run. */
class PythonPipeline {
  readonly #process: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterableIterator<string>;
  #stderr = '';

  constructor(checkpoint: string, threads: number, map: string | null) {
    const script = resolve(repoRoot, 'bench', 'pytorch', 'predict_pipeline.py');
    this.#process = spawn(referencePython, [script, JSON.stringify({ checkpoint, threads, map })], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
    });
    this.#process.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#lines = createInterface({ input: this.#process.stdout })[Symbol.asyncIterator]();
  }

  ready(): Promise<{ load_s: number; torch: string }> {
    return this.#next();
  }

  run(image: string, out: string, variant: string): Promise<{ times: StageTimes; nuclei: number }> {
    this.#process.stdin.write(`${JSON.stringify({ image, out, variant })}\n`);
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

async function main(): Promise<void> {
  setNumThreads(threads);
  const scratch = mkdtempSync(join(tmpdir(), 'histonuc-predict-bench-'));
  try {
    const checkpoint = givenModel ?? randomCheckpoint(join(scratch, 'resunet34-random.safetensors'));
    const loadStart = performance.now();
    const predictor = new Predictor(checkpoint);
    const ourLoad = (performance.now() - loadStart) / 1000;
    if (predictor.header.model !== 'resunet34') throw new Error(`${checkpoint}: a ${predictor.header.model} checkpoint; this benchmark runs ResUNet34`);

    let fixedMap: Tensor | null = null;
    let mapFile: string | null = null;
    if (mapSource === 'labels') {
      mapFile = join(scratch, 'map.f32');
      fixedMap = await probabilitiesFromLabels(labelsPath, mapFile);
    }

    const python = new PythonPipeline(checkpoint, threads, mapFile);
    const ready = await python.ready();

    const ours = async (out: string): Promise<{ times: StageTimes; nuclei: number }> => {
      const times = {} as StageTimes;
      let t = performance.now();
      const lap = (stage: Stage): void => {
        const now = performance.now();
        times[stage] = (now - t) / 1000;
        t = now;
      };
      const image = await readImage(imagePath);
      if (!(image.data instanceof Uint8Array)) throw new Error(`${imagePath}: expected an 8-bit image`);
      const rgb = image as Raster<Uint8Array>;
      lap('read');
      const probabilities = predictor.probabilities(rgb, imagePath);
      lap('forward');
      try {
        const { labels, classProbabilities } = postprocess(fixedMap ?? probabilities);
        lap('post');
        const { summary } = await writeNucleusOutputs({
          labels, image: rgb, probabilities: classProbabilities, mpp: predictor.header.mpp, outDir: out, name: stem, formats: FORMATS,
        });
        lap('exports');
        return { times, nuclei: summary.counts.total };
      } finally {
        probabilities.dispose();
      }
    };

    const sides = ['histonuc', ...variants.map((v) => `python ${v}`)];
    const results = new Map<string, { times: StageTimes; nuclei: number }[]>(sides.map((side) => [side, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const side of sides) {
        const out = join(scratch, side.replace(' ', '-'));
        const result = side === 'histonuc' ? await ours(out) : await python.run(imagePath, out, side.slice('python '.length));
        if (round > 0) results.get(side)!.push(result);
        process.stderr.write(`${round === 0 ? 'warm-up' : `round ${round}/${rounds}`} ${side}: ${formatTimes(result.times)}, ${result.nuclei} nuclei\n`);
      }
    }
    python.close();
    predictor.dispose();
    fixedMap?.dispose();

    const medians = new Map([...results].map(([side, list]) => [side, medianTimes(list.map((r) => r.times))]));
    const ourMedian = medians.get('histonuc')!;
    console.log(`${stem} (${imagePath}), histonuc's default precision here: ${predictor.precision}; ResUNet34 ${givenModel ? `weights ${givenModel}` : 'random weights'}, ` +
      `post-processing on ${mapSource === 'labels' ? `a map made from ground truth ${labelsPath}` : "each side's own network output"}; ` +
      `${threads} threads; medians of ${rounds} alternating rounds after a warm-up; PyTorch ${ready.torch}`);
    console.log(`model load (not in end to end): histonuc ${ourLoad.toFixed(2)} s, python ${ready.load_s.toFixed(2)} s`);
    console.log(`nuclei: ${sides.map((side) => `${side} ${results.get(side)![0]!.nuclei}`).join(', ')}`);
    const header = ['stage', `histonuc (${predictor.precision}) s`, ...variants.flatMap((v) => [`python ${v} s`, `ratio vs ${v}`])];
    console.log(`| ${header.join(' | ')} |`);
    console.log(`|${header.map(() => '---').join('|')}|`);
    for (const stage of [...STAGES, 'end to end'] as const) {
      const value = (times: StageTimes & { 'end to end': number }): number => times[stage];
      const cells = [stage, value(ourMedian).toFixed(3)];
      for (const v of variants) {
        const theirs = value(medians.get(`python ${v}`)!);
        cells.push(theirs.toFixed(3), `${(theirs / value(ourMedian)).toFixed(2)}×`);
      }
      console.log(`| ${cells.join(' | ')} |`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
