// Everything `histonuc predict` writes for one image, from its classified label map:
//   <name>_label.png / .tiff           16-bit label image, paper encoding (class = id mod 3); named
//                                      like ground-truth labels so `histonuc evaluate` pairs them
//   <name>_overlay.png                 the image with nucleus outlines in class colours
//   <name>.geojson                     QuPath detections with class and measurements
//   <name>_nuclei.csv                  per-nucleus morphometrics
//   <name>_summary.json                counts, fractions and densities per class
// Nuclei are measured once and before anything is written, so inconsistent input (sizes, ids,
// probabilities) fails without touching the output folder; every file is written atomically.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeLabels } from '../image/io.js';
import { maxLabel } from '../image/labels.js';
import { openCsvWriter } from './csv.js';
import { checkPixelSize } from './fields.js';
import { openGeoJsonWriter } from './geojson.js';
import { measureNuclei, type MeasureInput, type NucleusRecord } from './measure.js';
import { writeOverlay } from './overlay.js';
import type { RecordWriter } from './record-writer.js';
import { SummaryCounter, writeSummary, type NucleusSummary } from './summary.js';

export const OUTPUT_FORMATS = ['labels-png', 'labels-tiff', 'overlay', 'geojson', 'csv', 'summary'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const FILE_SUFFIXES: Record<OutputFormat, string> = {
  'labels-png': '_label.png',
  'labels-tiff': '_label.tiff',
  overlay: '_overlay.png',
  geojson: '.geojson',
  csv: '_nuclei.csv',
  summary: '_summary.json',
};

export interface NucleusOutputsInput extends MeasureInput {
  /** µm per pixel, when known: physical sizes in the CSV and GeoJSON, densities per mm². */
  readonly mpp?: number;
  readonly outDir: string;
  /** File name stem, usually the input image's name without extension. */
  readonly name: string;
  /** Which files to write; all of them by default. */
  readonly formats?: readonly OutputFormat[];
}

export interface NucleusOutputs {
  /** The files written, by format. */
  readonly paths: Partial<Record<OutputFormat, string>>;
  readonly records: NucleusRecord[];
  readonly summary: NucleusSummary;
}

export async function writeNucleusOutputs(input: NucleusOutputsInput): Promise<NucleusOutputs> {
  const { labels, image, mpp, outDir, name, formats = OUTPUT_FORMATS } = input;
  if (name === '' || /[/\\]/.test(name)) throw new RangeError(`output name must be a plain file name, got '${name}'`);
  for (const format of formats) {
    if (!OUTPUT_FORMATS.includes(format)) throw new RangeError(`unknown output format '${format}' (${OUTPUT_FORMATS.join(', ')})`);
  }
  if (mpp !== undefined) checkPixelSize(mpp);
  const largestId = maxLabel(labels);
  if ((formats.includes('labels-png') || formats.includes('labels-tiff')) && largestId > 0xffff) {
    throw new RangeError(`nucleus id ${largestId} does not fit the 16-bit label image`);
  }
  const records = measureNuclei(input);
  const counter = new SummaryCounter();
  counter.add(records);
  const summary = counter.summary(labels.width * labels.height, mpp);

  mkdirSync(outDir, { recursive: true });
  const paths: Partial<Record<OutputFormat, string>> = {};
  for (const format of formats) {
    const path = join(outDir, name + FILE_SUFFIXES[format]);
    switch (format) {
      case 'labels-png':
      case 'labels-tiff':
        await writeLabels(path, labels);
        break;
      case 'overlay':
        await writeOverlay(path, labels, image);
        break;
      case 'geojson':
        writeAll(openGeoJsonWriter(path, { mpp }), records);
        break;
      case 'csv':
        writeAll(openCsvWriter(path, { mpp }), records);
        break;
      case 'summary':
        writeSummary(path, summary);
        break;
    }
    paths[format] = path;
  }
  return { paths, records, summary };
}

function writeAll(writer: RecordWriter, records: readonly NucleusRecord[]): void {
  writer.add(records);
  writer.finish();
}
