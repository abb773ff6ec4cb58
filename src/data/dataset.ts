// The dataset folder format (REFERENCE_SPEC §1): images/<name>.png (RGB), labels/<name>_label.png
// (8- or 16-bit instance ids, class = id mod 3) and an optional split.json {train, val, test}.
// Reading is strict: every problem is collected and reported by file, and loading refuses a
// dataset with any error rather than training on the pairs that happened to work.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ImageFileError, readLabels, readRgb, writeLabels, writePng } from '../image/io.js';
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import type { LabelMap, Raster } from '../image/raster.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export const IMAGES_DIR = 'images';
export const LABELS_DIR = 'labels';
export const SPLIT_FILE = 'split.json';
const LABEL_SUFFIX = '_label.png';

export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

export type DatasetSplit = Record<SplitName, string[]>;

export interface DatasetSample {
  name: string;
  /** RGB, 8 bit. */
  image: Raster<Uint8Array>;
  labels: LabelMap;
}

export function imagePath(dir: string, name: string): string {
  return join(dir, IMAGES_DIR, `${name}.png`);
}

export function labelPath(dir: string, name: string): string {
  return join(dir, LABELS_DIR, `${name}${LABEL_SUFFIX}`);
}

/** A problem with one file; `severity` error means the dataset cannot be used as it is. */
export interface DatasetIssue {
  severity: 'error' | 'warning';
  /** The file (or folder) concerned, relative to the dataset folder. */
  file: string;
  problem: string;
}

export interface ImageSummary {
  name: string;
  width: number;
  height: number;
  /** Nuclei (distinct ids) per class: [tumor, lymphocyte, stroma]. */
  nuclei: [number, number, number];
}

export interface DatasetReport {
  dir: string;
  /** The complete, readable pairs, in name order. */
  images: ImageSummary[];
  split: DatasetSplit | undefined;
  issues: DatasetIssue[];
  /** No errors (warnings allowed). */
  ok: boolean;
}

/** The error of a dataset that has errors; the message lists every one. */
export class DatasetError extends Error {
  constructor(readonly report: DatasetReport) {
    super(formatDatasetReport(report));
    this.name = 'DatasetError';
  }
}

/**
 * Validates a dataset folder: pairs present, files readable and decodable, image and label sizes
 * equal, labels non-empty, split.json well-formed and naming existing images. Reads every file.
 */
export async function checkDataset(dir: string): Promise<DatasetReport> {
  const { names, issues } = listPairs(dir);
  const images: ImageSummary[] = [];
  await forEachConcurrently(names, 4, async (name) => {
    const summary = await checkPair(dir, name, issues);
    if (summary) images.push(summary);
  });
  images.sort((a, b) => compareNames(a.name, b.name));
  const split = readSplitChecked(dir, names, issues);
  issues.sort((a, b) => (a.severity === b.severity ? compareNames(a.file, b.file) : a.severity === 'error' ? -1 : 1));
  return { dir, images, split, issues, ok: issues.every((issue) => issue.severity !== 'error') };
}

/** A person-readable report: a summary line, every issue by file, then per-image class counts. */
export function formatDatasetReport(report: DatasetReport): string {
  const errors = report.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = report.issues.length - errors;
  const totals = [0, 1, 2].map((c) => report.images.reduce((sum, image) => sum + image.nuclei[c], 0));
  const lines = [
    `dataset ${report.dir}: ${report.images.length} readable image/label pairs, ` +
      `${totals.map((n, c) => `${n} ${NUCLEUS_CLASS_NAMES[c]}`).join(', ')} nuclei; ` +
      `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
  ];
  if (report.split) {
    lines.push(`split: ${SPLIT_NAMES.map((s) => `${report.split?.[s].length ?? 0} ${s}`).join(', ')}`);
  } else {
    lines.push(`split: no ${SPLIT_FILE}`);
  }
  for (const issue of report.issues) lines.push(`${issue.severity}: ${issue.file}: ${issue.problem}`);
  if (report.images.length > 0) {
    const nameWidth = Math.max(4, ...report.images.map((image) => image.name.length));
    lines.push(`${'name'.padEnd(nameWidth)}  ${'size'.padStart(11)}  ${NUCLEUS_CLASS_NAMES.map((c) => c.padStart(10)).join('  ')}`);
    for (const image of report.images) {
      const size = `${image.width}×${image.height}`;
      lines.push(`${image.name.padEnd(nameWidth)}  ${size.padStart(11)}  ${image.nuclei.map((n) => String(n).padStart(10)).join('  ')}`);
    }
  }
  return lines.join('\n');
}

/**
 * Reads the samples of a dataset (all of them, or one split's). Throws DatasetError, listing every
 * problem, when any pair is missing or broken, or a requested split names an image that is absent.
 */
export async function loadDataset(dir: string, split?: SplitName, splitFile?: string): Promise<DatasetSample[]> {
  const { names, issues } = listPairs(dir);
  const splitLabel = splitFile ?? SPLIT_FILE;
  const splits = split ? readSplitChecked(dir, names, issues, splitFile) : undefined;
  if (split && !splits && !issues.some((issue) => issue.file === splitLabel)) {
    issues.push({ severity: 'error', file: splitLabel, problem: `the ${split} split was asked for, but there is no ${splitLabel}` });
  }
  // Every wanted pair is read even after an error, so that the report names all broken files.
  const wanted = splits && split ? splits[split].filter((name) => names.includes(name)) : names;
  const samples: DatasetSample[] = [];
  await forEachConcurrently(wanted, 4, async (name) => {
    const sample = await readPair(dir, name, issues);
    if (sample) samples.push(sample);
  });
  const errors = issues.filter((issue) => issue.severity === 'error');
  if (errors.length > 0) throw new DatasetError({ dir, images: [], split: splits, issues: errors, ok: false });
  return samples.sort((a, b) => compareNames(a.name, b.name));
}

/** Writes one image/label pair into a dataset folder (creating images/ and labels/). */
export async function writeDatasetSample(dir: string, sample: DatasetSample): Promise<void> {
  mkdirSync(join(dir, IMAGES_DIR), { recursive: true });
  mkdirSync(join(dir, LABELS_DIR), { recursive: true });
  await writePng(imagePath(dir, sample.name), sample.image);
  await writeLabels(labelPath(dir, sample.name), sample.labels);
}

export function writeSplit(dir: string, split: DatasetSplit): void {
  writeFileAtomic(join(dir, SPLIT_FILE), (write) => write(`${JSON.stringify(split, null, 2)}\n`));
}

/**
 * Builds a whole dataset folder: `fill` writes into a temporary sibling folder that is renamed to
 * `dir` only when complete, so a failure never leaves a half-written dataset. `dir` must not exist.
 */
export async function createDatasetFolder(dir: string, fill: (temporaryDir: string) => Promise<void>): Promise<void> {
  if (existsSync(dir)) throw new Error(`${dir}: already exists; choose a new folder for the dataset`);
  const temporary = join(dirname(dir), `.${basename(dir)}.${process.pid}.partial`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  try {
    await fill(temporary);
    renameSync(temporary, dir);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** Splits names into train/val/test by the given fractions of val and test (the rest is train). */
export function splitByFractions(names: readonly string[], valFraction: number, testFraction: number): DatasetSplit {
  const val = Math.round(names.length * valFraction);
  const test = Math.round(names.length * testFraction);
  const train = names.length - val - test;
  return { train: names.slice(0, train), val: names.slice(train, train + val), test: names.slice(train + val) };
}

// ---- checking ----

/** The names with both files present; a missing partner or folder is an error. */
function listPairs(dir: string): { names: string[]; issues: DatasetIssue[] } {
  const issues: DatasetIssue[] = [];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    issues.push({ severity: 'error', file: dir, problem: 'not a folder' });
    return { names: [], issues };
  }
  const images = listFolder(dir, IMAGES_DIR, '.png', issues);
  const labels = listFolder(dir, LABELS_DIR, LABEL_SUFFIX, issues);
  for (const name of images) {
    if (!labels.has(name)) issues.push({ severity: 'error', file: `${IMAGES_DIR}/${name}.png`, problem: `no label file ${LABELS_DIR}/${name}${LABEL_SUFFIX}` });
  }
  for (const name of labels) {
    if (!images.has(name)) issues.push({ severity: 'error', file: `${LABELS_DIR}/${name}${LABEL_SUFFIX}`, problem: `no image file ${IMAGES_DIR}/${name}.png` });
  }
  if (images.size === 0 && labels.size === 0 && issues.length === 0) {
    issues.push({ severity: 'error', file: IMAGES_DIR, problem: 'the dataset has no images' });
  }
  const names = [...images].filter((name) => labels.has(name)).sort(compareNames);
  return { names, issues };
}

/** Names of the files in dir/folder ending in suffix; other entries are warned about. */
function listFolder(dir: string, folder: string, suffix: string, issues: DatasetIssue[]): Set<string> {
  const path = join(dir, folder);
  if (!existsSync(path)) {
    issues.push({ severity: 'error', file: `${folder}/`, problem: 'folder missing' });
    return new Set();
  }
  const names = new Set<string>();
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isFile() && entry.name.endsWith(suffix) && entry.name.length > suffix.length) names.add(entry.name.slice(0, -suffix.length));
    else issues.push({ severity: 'warning', file: `${folder}/${entry.name}`, problem: `ignored: not a file named <name>${suffix}` });
  }
  return names;
}

async function readPair(dir: string, name: string, issues: DatasetIssue[]): Promise<DatasetSample | undefined> {
  const [image, labels] = await Promise.all([
    readOrReport(() => readRgb(imagePath(dir, name)), `${IMAGES_DIR}/${name}.png`, issues),
    readOrReport(() => readLabels(labelPath(dir, name)), `${LABELS_DIR}/${name}${LABEL_SUFFIX}`, issues),
  ]);
  if (!image || !labels) return undefined;
  if (image.width !== labels.width || image.height !== labels.height) {
    issues.push({
      severity: 'error',
      file: `${LABELS_DIR}/${name}${LABEL_SUFFIX}`,
      problem: `size ${labels.width}×${labels.height} differs from its image ${IMAGES_DIR}/${name}.png (${image.width}×${image.height})`,
    });
    return undefined;
  }
  return { name, image, labels };
}

async function checkPair(dir: string, name: string, issues: DatasetIssue[]): Promise<ImageSummary | undefined> {
  const sample = await readPair(dir, name, issues);
  if (!sample) return undefined;
  const nuclei = nucleiPerClass(sample.labels);
  if (nuclei[0] + nuclei[1] + nuclei[2] === 0) {
    issues.push({ severity: 'warning', file: `${LABELS_DIR}/${name}${LABEL_SUFFIX}`, problem: 'empty label map (no nuclei)' });
  }
  return { name, width: sample.image.width, height: sample.image.height, nuclei };
}

async function readOrReport<T>(read: () => Promise<T>, file: string, issues: DatasetIssue[]): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    // ImageFileError messages start with the absolute path; the report names files relatively.
    const problem = error instanceof ImageFileError ? error.message.slice(error.path.length + 2) : String(error);
    issues.push({ severity: 'error', file, problem });
    return undefined;
  }
}

/** Distinct ids per class: [tumor, lymphocyte, stroma]. */
export function nucleiPerClass(labels: LabelMap): [number, number, number] {
  const seen = new Set<number>();
  const counts: [number, number, number] = [0, 0, 0];
  for (const id of labels.data) {
    if (id > 0 && !seen.has(id)) {
      seen.add(id);
      counts[id % 3]++;
    }
  }
  return counts;
}

/**
 * split.json (or `splitFile`, a path of its own, where given), if present, validated against the
 * names; problems go to issues.
 */
function readSplitChecked(dir: string, names: readonly string[], issues: DatasetIssue[], splitFile?: string): DatasetSplit | undefined {
  const path = splitFile ?? join(dir, SPLIT_FILE);
  const label = splitFile ?? SPLIT_FILE;
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    issues.push({ severity: 'error', file: label, problem: `not valid JSON (${error instanceof Error ? error.message : String(error)})` });
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    issues.push({ severity: 'error', file: label, problem: 'must be an object {"train": [...], "val": [...], "test": [...]}' });
    return undefined;
  }
  const record = parsed as Record<string, unknown>;
  const split: DatasetSplit = { train: [], val: [], test: [] };
  const known = new Set(names);
  const assigned = new Map<string, SplitName>();
  for (const key of Object.keys(record)) {
    if (!SPLIT_NAMES.includes(key as SplitName)) issues.push({ severity: 'warning', file: label, problem: `unknown key "${key}" ignored` });
  }
  for (const splitName of SPLIT_NAMES) {
    const list = record[splitName] ?? [];
    if (!Array.isArray(list) || !list.every((item): item is string => typeof item === 'string')) {
      issues.push({ severity: 'error', file: label, problem: `"${splitName}" must be a list of image names` });
      continue;
    }
    for (const entry of list) {
      // The paper's json lists file names; bare names are accepted too.
      const name = entry.endsWith('.png') ? entry.slice(0, -4) : entry;
      if (!known.has(name)) issues.push({ severity: 'error', file: label, problem: `${splitName} names "${entry}", which is not an image/label pair of the dataset` });
      const earlier = assigned.get(name);
      if (earlier) issues.push({ severity: 'error', file: label, problem: `"${entry}" is in both ${earlier} and ${splitName}` });
      assigned.set(name, splitName);
      split[splitName].push(name);
    }
  }
  const unassigned = names.filter((name) => !assigned.has(name));
  if (unassigned.length > 0) {
    issues.push({ severity: 'warning', file: label, problem: `${unassigned.length} image(s) in no split: ${unassigned.slice(0, 10).join(', ')}${unassigned.length > 10 ? ', …' : ''}` });
  }
  return split;
}

/** Natural order: train_2 before train_10. */
function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

async function forEachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, run));
}
