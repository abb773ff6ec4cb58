// From a source dataset's annotation (an instance map with any positive ids, and a type code per
// instance) to the paper's class-encoded label map (REFERENCE_SPEC §1). Nuclei are taken in
// increasing source id; the k-th of class c gets idForClass(c, k): 3k tumor, 3k−2 lymphocyte,
// 3k−1 stroma. The result must fit a 16-bit label image.
import { FileError } from '../util/file-error.js';
import { idForClass, NUCLEUS_CLASS_NAMES, type NucleusClass } from '../image/labels.js';
import { createRaster, type LabelMap } from '../image/raster.js';

export type NucleusClassName = (typeof NUCLEUS_CLASS_NAMES)[number];

/** Source type code → class; a code not in it is an error. */
export type TypeClasses = ReadonlyMap<number, NucleusClass>;

/** The problem of one source annotation file; the message starts with the file. */
export class ImportError extends FileError {}

/** A source instance map: row-major ids (non-negative integers, 0 background). */
export interface SourceInstances {
  width: number;
  height: number;
  ids: ArrayLike<number>;
}

/** The distinct positive ids of an instance map, ascending; non-integer or negative ids are errors. */
export function instanceIds(instances: SourceInstances, file: string): number[] {
  const seen = new Set<number>();
  const { ids } = instances;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === 0 || seen.has(id)) continue;
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      throw new ImportError(file, `instance id ${id} at pixel (x ${i % instances.width}, y ${Math.floor(i / instances.width)}) is not an integer from 0 to 2³¹−1`);
    }
    seen.add(id);
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * Per-instance types from a list in order of instance id (CoNSeP's inst_type): entry k−1 is the type
 * of id k when the list reaches the largest id; a list exactly as long as the ids present instead
 * gives the j-th entry to the j-th smallest id (the same thing when ids are 1..N).
 */
export function typesFromList(ids: readonly number[], list: ArrayLike<number>, file: string): Map<number, number> {
  const largest = ids.length === 0 ? 0 : ids[ids.length - 1];
  const byId = list.length >= largest;
  if (!byId && list.length !== ids.length) {
    throw new ImportError(file, `${list.length} instance types for ${ids.length} instances with ids up to ${largest}; one type per id 1..${largest}, or one per instance in id order, is needed`);
  }
  return new Map(ids.map((id, j) => [id, list[byId ? id - 1 : j]]));
}

/**
 * Per-instance types by majority over a per-pixel type map. Pixels of type 0 do not vote (type 0 is
 * background); a tie goes to the smaller code; an instance with no typed pixel is an error.
 */
export function typesFromMajority(instances: SourceInstances, ids: readonly number[], typeMap: ArrayLike<number>, file: string): Map<number, number> {
  const votes = new Map<number, Map<number, number>>(ids.map((id) => [id, new Map()]));
  for (let i = 0; i < typeMap.length; i++) {
    const id = instances.ids[i];
    const code = typeMap[i];
    if (id === 0 || code === 0) continue;
    const counts = votes.get(id) as Map<number, number>;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const types = new Map<number, number>();
  for (const [id, counts] of votes) {
    let best = 0;
    let bestCount = 0;
    for (const [code, count] of counts) {
      if (count > bestCount || (count === bestCount && code < best)) [best, bestCount] = [code, count];
    }
    if (bestCount === 0) throw new ImportError(file, `instance ${id} has no pixel of a nonzero type in the type map`);
    types.set(id, best);
  }
  return types;
}

export interface EncodedLabels {
  labels: LabelMap;
  /** Nuclei per class: [tumor, lymphocyte, stroma]. */
  nuclei: [number, number, number];
  /** Nuclei per source type code. */
  typeCounts: Map<number, number>;
}

/**
 * The class-encoded label map of an annotation. Every instance must have a type in `types` that `classes`
 * maps (type 0 and unmapped codes are errors naming the instance); `file` names the annotation
 * and `image` the image, whose 16-bit id limit is checked.
 */
export function encodeInstances(
  instances: SourceInstances, types: ReadonlyMap<number, number>, classes: TypeClasses, file: string, image: string,
): EncodedLabels {
  const nuclei: [number, number, number] = [0, 0, 0];
  const typeCounts = new Map<number, number>();
  const newIds = new Map<number, number>();
  for (const id of [...types.keys()].sort((a, b) => a - b)) {
    const code = types.get(id) as number;
    const nucleusClass = classes.get(code);
    if (nucleusClass === undefined) {
      const known = [...classes].map(([c, k]) => `${c} ${NUCLEUS_CLASS_NAMES[k]}`).join(', ');
      throw new ImportError(file, `instance ${id} has type ${code}, which is not a known type (${known})`);
    }
    const newId = idForClass(nucleusClass, ++nuclei[nucleusClass]);
    if (newId > 0xffff) {
      throw new ImportError(file, `image ${image} has more ${NUCLEUS_CLASS_NAMES[nucleusClass]} nuclei than a 16-bit label image can number (id ${newId} > 65535)`);
    }
    newIds.set(id, newId);
    typeCounts.set(code, (typeCounts.get(code) ?? 0) + 1);
  }
  const { width, height, ids } = instances;
  const out = new Int32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    if (ids[i] === 0) continue;
    const newId = newIds.get(ids[i]);
    if (newId === undefined) throw new ImportError(file, `instance ${ids[i]} has no type`);
    out[i] = newId;
  }
  return { labels: createRaster(out, width, height), nuclei, typeCounts };
}
