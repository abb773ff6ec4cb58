// `histonuc dataset preview`: a PNG grid of augmented samples for a person to look at, one row per
// sample: the augmented image, its 5-class target (the reference's colours: tumor red, lymphocyte
// green, stroma blue, contour white) and its weight map (black 0 … white 11).
import { writePng } from '../image/io.js';
import { createRaster, type Raster } from '../image/raster.js';
import { augmentPatch, REFERENCE_AUGMENTATION, type AugmentedSample } from './augment.js';
import { loadDataset, type SplitName } from './dataset.js';
import { Random } from './random.js';
import { prepareTrainingSet } from './training-set.js';

export interface PreviewOptions {
  /** Rows (samples) in the grid (default 6). */
  samples?: number;
  seed?: number;
  /** Draw from this split only (default: every image). */
  split?: SplitName;
}

const TARGET_COLOURS = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
const GAP = 4;
const MAX_WEIGHT = 11;

/** Writes the preview grid of a dataset folder to `outputPath` (PNG); returns the samples drawn. */
export async function writePreview(datasetDir: string, outputPath: string, options: PreviewOptions = {}): Promise<number> {
  const rows = options.samples ?? 6;
  const seed = options.seed ?? 0;
  const random = new Random(seed);
  // Weight maps are computed for the images drawn only.
  const all = await loadDataset(datasetDir, options.split);
  const chosen = random.shuffled(all).slice(0, rows);
  const set = prepareTrainingSet(chosen);
  const samples = Array.from({ length: rows }, (_, k) => {
    const patch = set.patches[Math.floor(random.uniform() * set.patches.length)];
    return augmentPatch(set.sources[patch.image], patch, new Random(seed, k));
  });
  await writePng(outputPath, previewGrid(samples));
  return rows;
}

/** The grid image: one row of [image | target | weights] per sample. */
export function previewGrid(samples: readonly AugmentedSample[]): Raster<Uint8Array> {
  const side = samples[0]?.image.width ?? REFERENCE_AUGMENTATION.cropSize;
  const width = 3 * side + 4 * GAP;
  const height = samples.length * (side + GAP) + GAP;
  const grid = new Uint8Array(width * height * 3).fill(128);
  samples.forEach((sample, row) => {
    const top = GAP + row * (side + GAP);
    const panels: ((p: number) => readonly number[])[] = [
      (p) => [0, 1, 2].map((c) => Math.round(sample.image.data[3 * p + c])),
      (p) => TARGET_COLOURS[sample.target.data[p]],
      (p) => {
        const grey = Math.round((255 * sample.weights.data[p]) / MAX_WEIGHT);
        return [grey, grey, grey];
      },
    ];
    panels.forEach((colourOf, column) => {
      const left = GAP + column * (side + GAP);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) grid.set(colourOf(y * side + x), ((top + y) * width + left + x) * 3);
      }
    });
  });
  return createRaster(grid, width, height, 3);
}
