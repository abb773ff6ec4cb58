// Whole-slide benchmark (issue 11): builds large test slides and times slide runs.
//
//   node dist/bench/slide/slide-benchmark.js make GIGAPIXELS SLIDE.tiff [TISSUE_FRACTION] [painted|plain]
//       A mosaic of the 27 CoNSeP training images (lossless pyramidal TIFF, 0.25 µm/px), with their
//       ground-truth nuclei painted in for the stand-in finder (default) or as they are ('plain', for a
//       trained model): a disc of tissue covering TISSUE_FRACTION of the slide (default 1: all tissue)
//       in the middle of empty glass, as a section lies on a slide.
//   node dist/bench/slide/slide-benchmark.js run SLIDE OUT_DIR [stand-in|resunet34|shipped|CHECKPOINT] [x,y,w,h] [WINDOW]
//       predictSlide with the stand-in finder (the slide machinery: reading, post-processing,
//       measuring, writing), with ResUNet34 of random weights (the real network's cost), with the
//       shipped model or with a checkpoint file; WINDOW is the sliding window as TILE/OVERLAP
//       (default: histonuc's fitted tiles for a network, the whole tile for the stand-in).
//       Prints tiles, nuclei, wall time, minutes per gigapixel of tissue and peak RSS.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabels, readRgb, writePng } from '../../src/image/io.js';
import { SHIPPED_MODEL } from '../../src/cli/commands/predict.js';
import { createModel } from '../../src/models/index.js';
import { predictSlide, type SlidePredictOptions } from '../../src/slide/slide-predict.js';
import { paintNuclei, StandInFinder } from '../../src/slide/stand-in-finder.js';
import { writeTestSlide } from '../../src/slide/test-slides.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { consepDir } from '../../test/support/env.js';

const CELL = 1000;
const GUTTER = 24;

async function paintedSources(names: readonly string[]): Promise<string[]> {
  const painted = join(tmpdir(), 'histonuc-bench-painted');
  mkdirSync(painted, { recursive: true });
  const sources: string[] = [];
  for (const name of names) {
    const target = join(painted, name);
    const stem = name.replace(/\.png$/, '');
    await writePng(target, paintNuclei(await readRgb(join(consepDir, 'images', name)), await readLabels(join(consepDir, 'labels', `${stem}_label.png`))));
    sources.push(target);
  }
  return sources;
}

async function make(gigapixels: number, path: string, tissueFraction: number, painted: boolean): Promise<void> {
  const names = readdirSync(join(consepDir, 'images')).filter((name) => name.endsWith('.png')).sort();
  const sources = painted ? await paintedSources(names) : names.map((name) => join(consepDir, 'images', name));
  const columns = Math.ceil(Math.sqrt((gigapixels * 1e9) / (CELL + GUTTER) ** 2));
  const radius = Math.sqrt((tissueFraction * columns * columns) / Math.PI);
  const inDisc = (k: number): boolean => Math.hypot((k % columns) + 0.5 - columns / 2, Math.floor(k / columns) + 0.5 - columns / 2) <= radius;
  const cells = Array.from({ length: columns * columns }, (_, k) => (tissueFraction >= 1 || inDisc(k) ? sources[k % sources.length] : null));
  const started = performance.now();
  const made = await writeTestSlide({ path, cells, columns, gutter: GUTTER, compression: 'lzw' });
  const tissue = cells.filter((cell) => cell !== null).length;
  console.log(`${path}: ${made.width}×${made.height} = ${((made.width * made.height) / 1e9).toFixed(2)} gigapixels, ${tissue} of ${cells.length} cells tissue, written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function run(slide: string, outDir: string, model: string, region: string | undefined, window: string | undefined): Promise<void> {
  const [tile, overlap] = (window ?? '').split('/').map(Number);
  const options: SlidePredictOptions = {
    slide,
    outDir,
    progress: true,
    ...(region === undefined || region === '-' ? {} : { region: parseRegion(region) }),
  };
  let scratch: string | null = null;
  let prediction;
  const started = performance.now();
  if (model === 'stand-in') {
    const whole = { tile: tile || 2304, overlap: overlap || 0 };
    prediction = await predictSlide({ ...options, finder: new StandInFinder(0.25, whole) });
  } else {
    let checkpoint = model === 'shipped' ? SHIPPED_MODEL : model;
    if (model === 'resunet34') {
      scratch = mkdtempSync(join(tmpdir(), 'histonuc-bench-model-'));
      checkpoint = join(scratch, 'resunet34-random.safetensors');
      const network = createModel('resunet34');
      saveCheckpoint(checkpoint, {
        header: { format: 'histonuc-checkpoint', version: 1, model: 'resunet34', modelOptions: {}, normalisation: { mean: [0.7, 0.55, 0.7], std: [0.15, 0.2, 0.15] }, classes: ['background', 'tumor', 'lymphocyte', 'stroma', 'contour'], mpp: 0.25 },
        model: network,
      });
      network.dispose();
    }
    prediction = await predictSlide({ ...options, checkpoint, ...(window === undefined ? {} : { tile, overlap }) });
  }
  const seconds = (performance.now() - started) / 1000;
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  const { summary } = prediction;
  const tissueGigapixels = (summary.region.areaPx * (summary.slide.viewMicronsPerPixel / 0.25) ** 2) / 1e9;
  console.log(JSON.stringify({
    slide,
    model,
    window: window ?? 'default',
    slideGigapixels: (summary.slide.width * summary.slide.height) / 1e9,
    tiles: summary.slide.tiles,
    tissueGigapixels,
    nuclei: summary.counts.total,
    cutNuclei: summary.slide.cutNuclei,
    seconds,
    minutesPerTissueGigapixel: seconds / 60 / tissueGigapixels,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }));
}

function parseRegion(text: string): { x: number; y: number; width: number; height: number } {
  const [x, y, width, height] = text.split(',').map(Number);
  return { x, y, width, height };
}

const [command, ...args] = process.argv.slice(2);
if (command === 'make') await make(Number(args[0]), args[1], Number(args[2] ?? 1), args[3] !== 'plain');
else if (command === 'run') await run(args[0], args[1], args[2] ?? 'stand-in', args[3], args[4]);
else {
  console.error('usage: slide-benchmark make GIGAPIXELS SLIDE.tiff [TISSUE_FRACTION] [painted|plain] | run SLIDE OUT_DIR [stand-in|resunet34|shipped|CHECKPOINT] [x,y,w,h|-] [TILE/OVERLAP]');
  process.exit(2);
}
