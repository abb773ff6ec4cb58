// `histonuc predict`: every nucleus of every image, classified, written as label images, overlays,
// QuPath GeoJSON, per-nucleus CSV and a summary. Inputs are never modified.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { setNumThreads, type DeviceName } from '../../engine/index.js';
import { OUTPUT_FORMATS, writeNucleusOutputs, type OutputFormat } from '../../export/index.js';
import { Predictor } from '../../infer/predictor.js';
import { isTiling } from '../../infer/tiling.js';
import { readImage } from '../../image/io.js';
import { isSlidePath, predictSlide } from '../../slide/index.js';
import type { Raster } from '../../image/raster.js';
import { ProgressBar } from '../../util/progress.js';
import { numberFlag, precisionFlag, stringFlag, UsageError } from '../args.js';
import type { Command } from '../command.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.svs', '.ndpi', '.mrxs', '.scn', '.svslide', '.bif', '.vms', '.vmu']);
const DEFAULT_FORMATS: readonly OutputFormat[] = ['labels-png', 'overlay', 'geojson', 'csv', 'summary'];

/** The model shipped with histonuc (issue 8), used when --model is not given. */
export const SHIPPED_MODEL = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'models', 'resunet34-consep.safetensors');

function listInputs(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
    if (statSync(path).isDirectory()) {
      const images = readdirSync(path).filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase())).sort();
      if (images.length === 0) throw new Error(`${path}: the folder holds no .png, .jpg or .tif images`);
      files.push(...images.map((name) => join(path, name)));
    } else {
      files.push(path);
    }
  }
  return files;
}

function parseFormats(text: string | undefined): readonly OutputFormat[] {
  if (text === undefined) return DEFAULT_FORMATS;
  const formats = text.split(',').map((f) => f.trim());
  for (const format of formats) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format '${format}' (${OUTPUT_FORMATS.join(', ')})`);
  }
  return formats as OutputFormat[];
}

/** --region x,y,w,h: a rectangle of level-0 slide pixels. */
function parseRegion(text: string | undefined): { x: number; y: number; width: number; height: number } | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || parts.some((v) => !Number.isInteger(v) || v < 0) || parts[2] === 0 || parts[3] === 0) {
    throw new UsageError(`--region must be x,y,w,h in whole level-0 pixels with w, h > 0, got '${text}'`);
  }
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

export const predictCommand: Command = {
  path: ['predict'],
  usage: 'histonuc predict [--model CKPT] IMAGE|SLIDE|DIR... --out DIR [options]',
  summary: 'find and classify every nucleus of images or whole slides: label images, overlays, QuPath GeoJSON, CSV, summary',
  flags: {
    model: { type: 'string', description: `checkpoint (default: the shipped model, ${basename(SHIPPED_MODEL)})` },
    out: { type: 'string', description: 'output folder' },
    device: { type: 'string', description: 'cpu (default), cuda or cuda:N' },
    precision: { type: 'string', description: 'bf16 or fp32 (default bf16 where the CPU has it in hardware; printed)' },
    tta: { type: 'boolean', description: 'average over the 8 flips/rotations (8× slower)' },
    tile: { type: 'string', description: 'largest sliding-window tile side (default 1024, a multiple of 32; the paper: 224)' },
    overlap: { type: 'string', description: 'tile overlap in pixels (default 80, even)' },
    tiling: { type: 'string', description: 'fitted (default: fewest tiles, shrunk to fit) or reference (the paper\'s plan, exact --tile)' },
    stitching: { type: 'string', description: 'cut (default, the paper) or blend' },
    'batch-size': { type: 'string', description: 'tiles per forward pass (default 4)' },
    mpp: { type: 'string', description: 'µm per pixel of the images (default: the model\'s training scale)' },
    formats: { type: 'string', description: `comma-separated subset of ${OUTPUT_FORMATS.join(', ')} (images; slides write GeoJSON, CSV, summary and a pyramidal overlay TIFF)` },
    region: { type: 'string', description: 'slides only: x,y,w,h in level-0 pixels' },
    'no-overlay': { type: 'boolean', description: 'slides only: skip the pyramidal overlay TIFF' },
    threads: { type: 'string', description: 'libtorch threads (default: one per physical core)' },
  },
  async run(args) {
    const outDir = stringFlag(args, 'out');
    if (outDir === undefined) throw new UsageError('--out DIR is required');
    if (args.positional.length === 0) throw new UsageError('give at least one image or folder');
    const modelPath = stringFlag(args, 'model') ?? SHIPPED_MODEL;
    if (!existsSync(modelPath)) {
      throw new Error(`${modelPath}: no such checkpoint${stringFlag(args, 'model') === undefined ? ' (no shipped model in this installation; pass --model)' : ''}`);
    }
    const stitching = stringFlag(args, 'stitching') ?? 'cut';
    if (stitching !== 'cut' && stitching !== 'blend') throw new UsageError(`--stitching must be cut or blend, got '${stitching}'`);
    const tiling = stringFlag(args, 'tiling') ?? 'fitted';
    if (!isTiling(tiling)) throw new UsageError(`--tiling must be fitted or reference, got '${tiling}'`);
    const formats = parseFormats(stringFlag(args, 'formats'));
    const threads = numberFlag(args, 'threads', { integer: true, min: 1 });
    if (threads !== undefined) setNumThreads(threads);
    const inputs = listInputs(args.positional);
    const stems = new Map<string, string>();
    for (const input of inputs) {
      const stem = basename(input, extname(input));
      const other = stems.get(stem);
      if (other !== undefined) throw new Error(`${input} and ${other} would write the same outputs (${stem}_*); predict them into different folders`);
      stems.set(stem, input);
    }
    const inputFolder = inputs.find((input) => dirname(resolve(input)) === resolve(outDir));
    if (inputFolder !== undefined) throw new Error(`--out ${outDir} holds the input ${inputFolder}; write the outputs to another folder so that inputs are never touched`);

    const device = (stringFlag(args, 'device') ?? 'cpu') as DeviceName;
    const precision = precisionFlag(args, device);
    const predictorOptions = {
      device,
      precision,
      tta: args.flags.has('tta'),
      tile: numberFlag(args, 'tile', { integer: true, min: 32 }),
      overlap: numberFlag(args, 'overlap', { integer: true, min: 0 }),
      tiling,
      batchSize: numberFlag(args, 'batch-size', { integer: true, min: 1 }),
      stitching,
    } as const;
    const givenMpp = numberFlag(args, 'mpp', { min: 0 });
    const slides = new Set<string>();
    for (const input of inputs) if (await isSlidePath(input)) slides.add(input);
    const images = inputs.filter((input) => !slides.has(input));
    // Slides load the model in their own streaming path; a Predictor is built only for plain images.
    const predictor = images.length > 0 ? new Predictor(modelPath, predictorOptions) : null;
    const mpp = givenMpp ?? predictor?.header.mpp;
    const bar = images.length > 0 ? new ProgressBar({ label: 'predicting', total: images.length, unit: 'image' }) : null;
    let nuclei = 0;
    try {
      for (const slide of slides) {
        const { summary, paths } = await predictSlide({
          slide, outDir, checkpoint: modelPath, mpp: givenMpp, region: parseRegion(stringFlag(args, 'region')),
          overlay: !args.flags.has('no-overlay'), progress: true, ...predictorOptions,
        });
        nuclei += summary.counts.total;
        console.log(`${slide}: ${summary.counts.total} nuclei in ${summary.slide.tiles.processed} tissue tiles → ${Object.values(paths).join(', ')}`);
      }
      for (const input of images) {
        const image = await readImage(input);
        if (!(image.data instanceof Uint8Array)) throw new Error(`${input}: 16-bit images are not H&E photographs; expected 8-bit RGB`);
        const nucleiFound = predictor!.predict(image as Raster<Uint8Array>, input);
        const name = basename(input, extname(input));
        const { summary } = await writeNucleusOutputs({
          labels: nucleiFound.labels, image: image as Raster<Uint8Array>, probabilities: nucleiFound.classProbabilities,
          mpp, outDir, name, formats,
        });
        nuclei += summary.counts.total;
        bar?.tick(1, `${nuclei} nuclei`);
      }
    } finally {
      bar?.finish();
      predictor?.dispose();
    }
    console.log(`${images.length} image(s) and ${slides.size} slide(s), ${nuclei} nuclei; outputs in ${outDir}`);
  },
};
