// A dataset's evaluation: every image's metrics and the summary over them.
import type { LabelMap } from '../image/raster.js';
import { summarise } from './aggregate.js';
import { evaluateImage } from './image-metrics.js';
import type { DatasetReport, ImageReport } from './report.js';

/** A predicted label map and its ground truth, both class-encoded (class = id mod 3). */
export interface LabelPair {
  readonly name: string;
  readonly pred: LabelMap;
  readonly gt: LabelMap;
}

/** Evaluates the pairs one at a time (an iterator may read each from disk when asked). */
export function evaluateDataset(pairs: Iterable<LabelPair>): DatasetReport {
  const perImage: ImageReport[] = [];
  for (const { name, pred, gt } of pairs) perImage.push(evaluateImage(name, pred, gt));
  return { perImage, summary: summarise(perImage) };
}
