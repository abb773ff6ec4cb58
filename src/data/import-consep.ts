// The CoNSeP release (Graham et al., HoVer-Net, Medical Image Analysis 2019) → the dataset format.
//
// Layout: SRC/Images/<name>.png with SRC/Labels/<name>.mat, or the release's SRC/Train/ and
// SRC/Test/ folders each holding Images/ and Labels/ (then split.json puts them in train and test).
// Each .mat holds inst_map (H×W instance ids, 0 background), type_map (H×W type codes), inst_type
// (N×1, the type of instance k at row k) and inst_centroid (unused). The type of a nucleus is its
// inst_type entry; only a file without inst_type falls back to the majority of type_map over the
// nucleus's pixels (typesFromMajority). CoNSeP's type codes, mapped as the shared README documents:
//   1 other/miscellaneous → stroma (the paper's stroma is its catch-all)
//   2 inflammatory → lymphocyte
//   3 healthy epithelial, 4 dysplastic/malignant epithelial → tumor
//   5 fibroblast, 6 muscle, 7 endothelial (spindle-shaped) → stroma
// Type 0 or any other code is an error naming the file and the nucleus.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRgb } from '../image/io.js';
import type { NucleusClass } from '../image/labels.js';
import type { DatasetSplit } from './dataset.js';
import {
  checkSplit, pairSourceFiles, sourceFiles, writeImportedDataset, type ImportedPair, type ImportProgress, type ImportReport, type ImportSource,
} from './import-dataset.js';
import { encodeInstances, ImportError, instanceIds, typesFromList, typesFromMajority, type TypeClasses } from './import-labels.js';
import { matrixAsImage, readMatFile, type MatMatrix } from './mat-file.js';

const TUMOR: NucleusClass = 0;
const LYMPHOCYTE: NucleusClass = 1;
const STROMA: NucleusClass = 2;

export const CONSEP_TYPE_CLASSES: TypeClasses = new Map([
  [1, STROMA], [2, LYMPHOCYTE], [3, TUMOR], [4, TUMOR], [5, STROMA], [6, STROMA], [7, STROMA],
]);

export interface ConsepImportOptions extends ImportProgress {
  /** split.json to write; by default Train/ → train and Test/ → test, and none for a single folder. */
  split?: DatasetSplit;
}

/** Imports a CoNSeP release (or one of its Train/Test folders) into the new dataset folder `outDir`. */
export async function importConsep(srcDir: string, outDir: string, options: ConsepImportOptions = {}): Promise<ImportReport> {
  const parts = releaseParts(srcDir);
  const sources: ImportSource[] = [];
  const defaultSplit: DatasetSplit = { train: [], val: [], test: [] };
  for (const { dir, split } of parts) {
    const images = sourceFiles(childFolder(dir, 'Images'), ['.png']);
    const labels = sourceFiles(childFolder(dir, 'Labels'), ['.mat']);
    for (const name of pairSourceFiles(images, [{ files: labels, describe: (name) => `label file Labels/${name}.mat` }])) {
      if (sources.some((source) => source.name === name)) throw new ImportError(images.get(name) as string, `the name "${name}" is used twice in ${srcDir}`);
      if (split) defaultSplit[split].push(name);
      sources.push({ name, read: () => readConsepPair(images.get(name) as string, labels.get(name) as string) });
    }
  }
  const fromRelease = parts.some((part) => part.split);
  const split = options.split ?? (fromRelease ? defaultSplit : undefined);
  if (options.split) checkSplit(options.split, sources.map((source) => source.name), 'the requested split');
  return writeImportedDataset(srcDir, outDir, sources, split, CONSEP_TYPE_CLASSES, options);
}

/** The folders holding Images/ and Labels/: SRC itself, or its Train/ and Test/. */
function releaseParts(srcDir: string): { dir: string; split?: 'train' | 'test' }[] {
  if (!existsSync(srcDir) || !statSync(srcDir).isDirectory()) throw new ImportError(srcDir, 'not a folder');
  if (findChild(srcDir, 'Images') || findChild(srcDir, 'Labels')) return [{ dir: srcDir }];
  const parts = (['train', 'test'] as const).flatMap((split) => {
    const dir = findChild(srcDir, split);
    return dir ? [{ dir, split }] : [];
  });
  if (parts.length === 0) throw new ImportError(srcDir, 'not a CoNSeP release: expected Images/ and Labels/ folders, or Train/ and Test/ folders holding them');
  return parts;
}

/** A subfolder by name in any case (the release spells them Images, Labels, Train, Test). */
function findChild(dir: string, name: string): string | undefined {
  const entry = readdirSync(dir, { withFileTypes: true }).find((e) => e.isDirectory() && e.name.toLowerCase() === name.toLowerCase());
  return entry && join(dir, entry.name);
}

function childFolder(dir: string, name: string): string {
  const child = findChild(dir, name);
  if (!child) throw new ImportError(dir, `no ${name}/ folder`);
  return child;
}

async function readConsepPair(imageFile: string, labelFile: string): Promise<ImportedPair> {
  const mat = readMatFile(labelFile);
  const instMap = matrixAsImage(mat.matrix('inst_map'), labelFile);
  const instances = { width: instMap.width, height: instMap.height, ids: instMap.data };
  const ids = instanceIds(instances, labelFile);
  let types: Map<number, number>;
  let typeSource: string;
  if (mat.has('inst_type')) {
    types = typesFromList(ids, vector(mat.matrix('inst_type'), labelFile), labelFile);
    typeSource = 'inst_type';
  } else if (mat.has('type_map')) {
    const typeMap = matrixAsImage(mat.matrix('type_map'), labelFile);
    if (typeMap.width !== instances.width || typeMap.height !== instances.height) {
      throw new ImportError(labelFile, `type_map is ${typeMap.width}×${typeMap.height}, inst_map ${instances.width}×${instances.height}`);
    }
    types = typesFromMajority(instances, ids, typeMap.data, labelFile);
    typeSource = 'type_map majority';
  } else {
    throw new ImportError(labelFile, 'neither inst_type nor type_map: the nucleus types are missing');
  }
  const encoded = encodeInstances(instances, types, CONSEP_TYPE_CLASSES, labelFile, imageFile);
  return { image: await readRgb(imageFile), encoded, imageFile, annotationFile: labelFile, typeSource };
}

function vector(matrix: MatMatrix, labelFile: string): MatMatrix['data'] {
  if (matrix.dims.length !== 2 || Math.min(...matrix.dims) > 1) {
    throw new ImportError(labelFile, `${matrix.name} is ${matrix.dims.join('×')}, not a vector (N×1) of instance types`);
  }
  return matrix.data;
}
