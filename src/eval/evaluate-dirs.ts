// The core of `histonuc evaluate --pred DIR --gt DIR`: pair the label images of two folders,
// evaluate every pair, summarise.
//
// Pairing rule: every .png, .tif or .tiff in the ground-truth folder is one image, named by its file
// name without the extension and without a trailing "_label" (CoNSeP's and the paper's
// "<name>_label.png"). Its prediction is the one file of the prediction folder called
// "<name>_label" or "<name>" with one of those extensions (letter case of the extension ignored);
// where the same stem exists as PNG and TIFF (as `histonuc predict` can write), the PNG is read.
// A ground-truth image without a prediction, or with several, is an error naming them all;
// prediction files that match no ground truth are listed in the report and otherwise ignored.
import { readdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { readLabels } from '../image/io.js';
import { summarise } from './aggregate.js';
import { evaluateImage } from './image-metrics.js';
import type { DatasetReport, ImageReport } from './report.js';

const LABEL_EXTENSIONS = new Set(['.png', '.tif', '.tiff']);
const LABEL_SUFFIX = '_label';

export interface ImagePair {
  readonly name: string;
  readonly pred: string;
  readonly gt: string;
}

export interface DirectoryReport extends DatasetReport {
  readonly predDir: string;
  readonly gtDir: string;
  readonly pairs: ImagePair[];
  /** Prediction files that match no ground-truth image (not evaluated). */
  readonly unpairedPredictions: string[];
}

/** Pairs the folders' label images by the rule above; throws listing every problem found. */
export function pairLabelFiles(predDir: string, gtDir: string): { pairs: ImagePair[]; unpairedPredictions: string[] } {
  const gtFiles = labelFiles(gtDir, 'ground-truth');
  const predFiles = labelFiles(predDir, 'prediction');
  if (gtFiles.length === 0) throw new Error(`${gtDir}: no ground-truth label images (.png, .tif, .tiff)`);

  const gtByName = groupByImageName(gtFiles);
  const predByName = groupByImageName(predFiles);
  const problems: string[] = [];
  const pairs: ImagePair[] = [];
  for (const [name, gts] of gtByName) {
    const preds = predByName.get(name) ?? [];
    if (gts.length > 1) problems.push(`ground truth "${name}" is ambiguous: ${gts.join(', ')}`);
    else if (preds.length === 0) problems.push(`no prediction for "${name}" (looked for ${name}${LABEL_SUFFIX}.png or ${name}.png, .tif, .tiff)`);
    else if (sameLabelsInTwoFormats(preds) === null) problems.push(`several predictions for "${name}": ${preds.join(', ')}`);
    else pairs.push({ name, pred: join(predDir, sameLabelsInTwoFormats(preds)!), gt: join(gtDir, gts[0]) });
  }
  if (problems.length > 0) throw new Error(`cannot pair ${predDir} with ${gtDir}:\n  ${problems.join('\n  ')}`);
  const unpairedPredictions = [...predByName].filter(([name]) => !gtByName.has(name)).flatMap(([, files]) => files.map((file) => join(predDir, file)));
  return { pairs, unpairedPredictions };
}

/** Evaluates every paired prediction against its ground truth, reading one pair at a time. */
export async function evaluateDirectories(options: { predDir: string; gtDir: string }): Promise<DirectoryReport> {
  const predDir = resolve(options.predDir);
  const gtDir = resolve(options.gtDir);
  const { pairs, unpairedPredictions } = pairLabelFiles(predDir, gtDir);
  const perImage: ImageReport[] = [];
  for (const pair of pairs) {
    const [pred, gt] = [await readLabels(pair.pred), await readLabels(pair.gt)];
    if (pred.width !== gt.width || pred.height !== gt.height) {
      throw new RangeError(`${pair.pred} is ${pred.width}×${pred.height} but its ground truth ${pair.gt} is ${gt.width}×${gt.height}`);
    }
    perImage.push(evaluateImage(pair.name, pred, gt));
  }
  return { predDir, gtDir, pairs, unpairedPredictions, perImage, summary: summarise(perImage) };
}

/**
 * The file to read among a prediction's candidates: the only one, or the PNG where `histonuc
 * predict` wrote the same labels as <stem>.png and <stem>.tif(f); null when that is not the case.
 */
function sameLabelsInTwoFormats(files: readonly string[]): string | null {
  if (files.length === 1) return files[0]!;
  const stems = new Set(files.map((file) => file.slice(0, file.length - extname(file).length)));
  const png = files.find((file) => extname(file).toLowerCase() === '.png');
  return stems.size === 1 && png !== undefined ? png : null;
}

function labelFiles(dir: string, role: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch (error) {
    throw new Error(`${dir}: cannot list the ${role} folder (${(error as Error).message})`);
  }
  return names.filter((name) => LABEL_EXTENSIONS.has(extname(name).toLowerCase())).sort();
}

function groupByImageName(files: string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const file of files) {
    const stem = file.slice(0, file.length - extname(file).length);
    const name = stem.endsWith(LABEL_SUFFIX) ? stem.slice(0, -LABEL_SUFFIX.length) : stem;
    byName.set(name, [...(byName.get(name) ?? []), file]);
  }
  return byName;
}
