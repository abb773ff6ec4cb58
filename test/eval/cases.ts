// The golden cases written by test/reference/eval/make_cases.py: a manifest of datasets, each image
// a prediction and a ground truth stored as raw little-endian int32 maps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelPair } from '../../src/eval/evaluate.js';
import { createRaster, type LabelMap } from '../../src/image/raster.js';
import { runPython } from '../support/env.js';

export interface CaseDataset {
  readonly name: string;
  readonly images: LabelPair[];
}

/** Runs make_cases.py into `dir` with `args` and reads back what it wrote; also returns the manifest's path. */
export function makeCases(dir: string, args: string[]): { manifestPath: string; datasets: CaseDataset[] } {
  runPython('test/reference/eval/make_cases.py', [dir, ...args]);
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    datasets: { name: string; images: { name: string; width: number; height: number; pred: string; gt: string }[] }[];
  };
  const datasets = manifest.datasets.map(({ name, images }) => ({
    name,
    images: images.map((image) => ({
      name: image.name,
      pred: readRawLabelMap(join(dir, image.pred), image.width, image.height),
      gt: readRawLabelMap(join(dir, image.gt), image.width, image.height),
    })),
  }));
  return { manifestPath, datasets };
}

function readRawLabelMap(path: string, width: number, height: number): LabelMap {
  const bytes = readFileSync(path);
  return createRaster(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice(), width, height);
}
