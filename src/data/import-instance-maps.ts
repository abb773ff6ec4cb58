// The generic importer: any dataset annotated with an instance map and nucleus types per image.
//
//   SRC/images/<name>.png|.tif|.tiff|.jpg|.jpeg   the H&E image (8-bit RGB, alpha ignored)
//   SRC/instances/<name>.png|.tif|.tiff           8- or 16-bit grey: 0 background, one positive id
//                                                 per nucleus (any ids, not necessarily contiguous)
//   SRC/types/<name>.png|.tif|.tiff               per-pixel type codes: a nucleus takes the majority
//                                                 code of its pixels (type 0 pixels do not vote), or
//   SRC/types/<name>.json                         per-nucleus codes: {"<instance id>": code, ...}, or
//                                                 a list in order of instance id (as CoNSeP's inst_type)
//   SRC/classes.json                              {"<type code>": "tumor" | "lymphocyte" | "stroma"}
//
// Every nucleus needs a type that classes.json maps (type 0 and unmapped codes are errors).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readLabels, readRgb } from '../image/io.js';
import { NUCLEUS_CLASS_NAMES, type NucleusClass } from '../image/labels.js';
import type { DatasetSplit } from './dataset.js';
import {
  checkSplit, pairSourceFiles, sourceFiles, writeImportedDataset, type ImportedPair, type ImportProgress, type ImportReport,
} from './import-dataset.js';
import { encodeInstances, ImportError, instanceIds, typesFromList, typesFromMajority, type SourceInstances, type TypeClasses } from './import-labels.js';

export const INSTANCE_TYPE_CLASSES_FILE = 'classes.json';

const IMAGE_EXTENSIONS = ['.png', '.tif', '.tiff', '.jpg', '.jpeg'];
const MAP_EXTENSIONS = ['.png', '.tif', '.tiff'];

export interface InstanceTypeImportOptions extends ImportProgress {
  /** Type code → class; by default read from SRC/classes.json. */
  classes?: TypeClasses;
  /** split.json to write; none by default. */
  split?: DatasetSplit;
}

/** Imports SRC (the layout above) into the new dataset folder `outDir`. */
export async function importInstanceTypeMaps(srcDir: string, outDir: string, options: InstanceTypeImportOptions = {}): Promise<ImportReport> {
  if (!existsSync(srcDir) || !statSync(srcDir).isDirectory()) throw new ImportError(srcDir, 'not a folder');
  const folder = (name: string): string => {
    const path = join(srcDir, name);
    if (!existsSync(path)) throw new ImportError(srcDir, `no ${name}/ folder (images/, instances/ and types/ are needed)`);
    return path;
  };
  const images = sourceFiles(folder('images'), IMAGE_EXTENSIONS);
  const instances = sourceFiles(folder('instances'), MAP_EXTENSIONS);
  const types = sourceFiles(folder('types'), [...MAP_EXTENSIONS, '.json']);
  const names = pairSourceFiles(images, [
    { files: instances, describe: (name) => `instance map instances/${name}.png (or .tif)` },
    { files: types, describe: (name) => `type file types/${name}.png, .tif or .json` },
  ]);
  const classesFile = join(srcDir, INSTANCE_TYPE_CLASSES_FILE);
  if (!options.classes && !existsSync(classesFile)) {
    throw new ImportError(srcDir, `no ${INSTANCE_TYPE_CLASSES_FILE}: it maps the type codes to classes, e.g. {"1": "tumor", "2": "lymphocyte", "3": "stroma"}`);
  }
  const classes = options.classes ?? readTypeClasses(classesFile);
  if (options.split) checkSplit(options.split, names, 'the requested split');
  const sources = names.map((name) => ({
    name,
    read: () => readPair(images.get(name) as string, instances.get(name) as string, types.get(name) as string, classes),
  }));
  return writeImportedDataset(srcDir, outDir, sources, options.split, classes, options);
}

/** A classes file: {"<type code>": "tumor" | "lymphocyte" | "stroma", ...}. */
export function readTypeClasses(path: string): TypeClasses {
  const parsed = readJson(path);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ImportError(path, 'must be an object {"<type code>": "tumor" | "lymphocyte" | "stroma", ...}');
  }
  const classes = new Map<number, NucleusClass>();
  for (const [key, value] of Object.entries(parsed)) {
    const code = Number(key);
    const nucleusClass = NUCLEUS_CLASS_NAMES.indexOf(value as (typeof NUCLEUS_CLASS_NAMES)[number]);
    if (!Number.isInteger(code) || code <= 0) throw new ImportError(path, `"${key}" is not a type code (a positive integer; 0 is background)`);
    if (nucleusClass < 0) throw new ImportError(path, `type ${key} maps to ${JSON.stringify(value)}, not one of ${NUCLEUS_CLASS_NAMES.join(', ')}`);
    classes.set(code, nucleusClass as NucleusClass);
  }
  return classes;
}

async function readPair(imageFile: string, instanceFile: string, typeFile: string, classes: TypeClasses): Promise<ImportedPair> {
  const instanceMap = await readLabels(instanceFile);
  const instances: SourceInstances = { width: instanceMap.width, height: instanceMap.height, ids: instanceMap.data };
  const ids = instanceIds(instances, instanceFile);
  let types: Map<number, number>;
  let typeSource: string;
  if (typeFile.toLowerCase().endsWith('.json')) {
    types = typesFromJson(readJson(typeFile), ids, typeFile);
    typeSource = 'per-nucleus type lists';
  } else {
    const typeMap = await readLabels(typeFile);
    if (typeMap.width !== instances.width || typeMap.height !== instances.height) {
      throw new ImportError(typeFile, `size ${typeMap.width}×${typeMap.height} differs from its instance map ${instanceFile} (${instances.width}×${instances.height})`);
    }
    types = typesFromMajority(instances, ids, typeMap.data, typeFile);
    typeSource = 'type map majority';
  }
  const encoded = encodeInstances(instances, types, classes, typeFile, imageFile);
  return { image: await readRgb(imageFile), encoded, imageFile, annotationFile: instanceFile, typeSource };
}

/** The type of every instance present, from a list in id order or an object keyed by id. */
function typesFromJson(parsed: unknown, ids: readonly number[], file: string): Map<number, number> {
  if (Array.isArray(parsed)) {
    if (!parsed.every((code) => Number.isInteger(code))) throw new ImportError(file, 'a type list must hold integer type codes');
    return typesFromList(ids, parsed as number[], file);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ImportError(file, 'must be an object {"<instance id>": <type code>, ...} or a list of type codes in instance id order');
  const record = parsed as Record<string, unknown>;
  return new Map(ids.map((id) => {
    const code = record[String(id)];
    if (code === undefined) throw new ImportError(file, `no type for instance ${id}`);
    if (!Number.isInteger(code)) throw new ImportError(file, `instance ${id} has type ${JSON.stringify(code)}, not an integer type code`);
    return [id, code as number];
  }));
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ImportError(path, `cannot read the file (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ImportError(path, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}
