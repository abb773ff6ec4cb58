// Writing an imported dataset: every source image with its class-encoded labels into a new dataset
// folder that appears complete or not at all, split.json, and the report of what was imported.
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Raster } from '../image/raster.js';
import { NUCLEUS_CLASS_NAMES } from '../image/labels.js';
import { createDatasetFolder, formatDatasetReport, SPLIT_NAMES, writeDatasetSample, writeSplit, type DatasetSplit, type ImageSummary } from './dataset.js';
import { ImportError, type EncodedLabels, type NucleusClassName, type TypeClasses } from './import-labels.js';

/** One source image to import; `read` throws errors that name the source files. */
export interface ImportSource {
  name: string;
  read(): Promise<ImportedPair>;
}

export interface ImportedPair {
  image: Raster<Uint8Array>;
  encoded: EncodedLabels;
  /** The source files, for errors: the image and its annotation. */
  imageFile: string;
  annotationFile: string;
  /** Where the nucleus types came from, e.g. "inst_type" or "type_map majority". */
  typeSource: string;
}

export interface ImportedImage extends ImageSummary {
  typeSource: string;
}

export interface ImportReport {
  /** The source folder and the dataset folder written. */
  source: string;
  dir: string;
  images: ImportedImage[];
  split: DatasetSplit | undefined;
  /** Nuclei per source type code over all images, with the class each code became. */
  types: { code: number; className: NucleusClassName; nuclei: number }[];
}

export interface ImportProgress {
  /** Called after each image is written. */
  onImage?: (done: number, total: number) => void;
}

/**
 * The files of `folder` whose extension is one of `extensions` (lower case, with the dot; matched
 * in any case), by name without extension. Two files of one name are an error; other files are ignored.
 */
export function sourceFiles(folder: string, extensions: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const extension = extname(entry.name);
    if (!entry.isFile() || entry.name.startsWith('.') || !extensions.includes(extension.toLowerCase())) continue;
    const name = entry.name.slice(0, -extension.length);
    const earlier = files.get(name);
    if (earlier) throw new ImportError(join(folder, entry.name), `two files for "${name}": this one and ${earlier}`);
    files.set(name, join(folder, entry.name));
  }
  return files;
}

/**
 * The names of the images, sorted, each of which must have a file in every partner set, and each
 * partner file an image; a file without its partner is an error naming it.
 */
export function pairSourceFiles(
  images: ReadonlyMap<string, string>,
  partners: readonly { files: ReadonlyMap<string, string>; describe: (name: string) => string }[],
): string[] {
  for (const { files, describe } of partners) {
    for (const [name, file] of images) if (!files.has(name)) throw new ImportError(file, `no ${describe(name)}`);
    for (const [name, file] of files) if (!images.has(name)) throw new ImportError(file, `no image for "${name}"`);
  }
  return [...images.keys()].sort();
}

/** Throws unless every name in the split is one of `names`, once; `file` names the split's origin. */
export function checkSplit(split: DatasetSplit, names: readonly string[], file: string): void {
  const known = new Set(names);
  const seen = new Map<string, string>();
  for (const splitName of SPLIT_NAMES) {
    for (const name of split[splitName]) {
      if (!known.has(name)) throw new ImportError(file, `${splitName} names "${name}", which is not an image of the source`);
      const earlier = seen.get(name);
      if (earlier) throw new ImportError(file, `"${name}" is in both ${earlier} and ${splitName}`);
      seen.set(name, splitName);
    }
  }
}

/**
 * Reads and writes the sources one by one into a new dataset folder `outDir` (which must not exist),
 * with `split` as split.json when given. Any error leaves no dataset folder behind.
 */
export async function writeImportedDataset(
  source: string, outDir: string, sources: readonly ImportSource[], split: DatasetSplit | undefined, classes: TypeClasses, progress: ImportProgress = {},
): Promise<ImportReport> {
  const images: ImportedImage[] = [];
  const typeCounts = new Map<number, number>();
  await createDatasetFolder(outDir, async (temporary) => {
    for (const item of sources) {
      const { image, encoded, imageFile, annotationFile, typeSource } = await item.read();
      const { labels } = encoded;
      if (image.width !== labels.width || image.height !== labels.height) {
        throw new ImportError(annotationFile, `size ${labels.width}×${labels.height} differs from its image ${imageFile} (${image.width}×${image.height})`);
      }
      await writeDatasetSample(temporary, { name: item.name, image, labels });
      images.push({ name: item.name, width: image.width, height: image.height, nuclei: encoded.nuclei, typeSource });
      for (const [code, n] of encoded.typeCounts) typeCounts.set(code, (typeCounts.get(code) ?? 0) + n);
      progress.onImage?.(images.length, sources.length);
    }
    if (split) writeSplit(temporary, split);
  });
  const types = [...typeCounts].sort(([a], [b]) => a - b).map(([code, nuclei]) => ({
    code, nuclei, className: NUCLEUS_CLASS_NAMES[classes.get(code) as number],
  }));
  return { source, dir: outDir, images, split, types };
}

/** The dataset summary (per-image class counts, split) with the source and its type mapping. */
export function formatImportReport(report: ImportReport): string {
  const typeSources = [...new Set(report.images.map((image) => image.typeSource))].join(', ');
  return [
    `imported ${report.images.length} image${report.images.length === 1 ? '' : 's'} from ${report.source}; nucleus types from ${typeSources || '-'}`,
    `source types: ${report.types.map((t) => `${t.code} → ${t.className} ${t.nuclei}`).join(', ') || 'no nuclei'}`,
    formatDatasetReport({ dir: report.dir, images: report.images, split: report.split, issues: [], ok: true }),
  ].join('\n');
}
