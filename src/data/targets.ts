// The 5-class training target of REFERENCE_SPEC §2: 0 background, 1 tumor / 2 lymphocyte / 3 stroma
// interior, 4 contour. The interior of a nucleus is its erosion by the cross (§2.1 step 3: exactly
// the coloured pixels of the reference's RGB label); the contour is recomputed after augmentation as
// the disk(2) ring around all interiors (§2.2, LabelBinarization2).
import { CROSS, binaryDilate, dilate, disk, erode } from '../image/morphology.js';
import { createRaster, assertSingleChannel, type LabelMap, type Raster } from '../image/raster.js';

export const TARGET_CLASSES = ['background', 'tumor', 'lymphocyte', 'stroma', 'contour'] as const;
export const CONTOUR_CLASS = 4;

/** Per pixel 0 (not inside any nucleus) or 1 + class of the nucleus whose cross-erosion holds it. */
export type InteriorMap = Raster<Uint8Array>;

/** Per pixel the target class 0..4. */
export type TargetMap = Raster<Uint8Array>;

const CONTOUR_RING = disk(2);

/**
 * The interiors: pixels of a nucleus whose 4-neighbours inside the image all belong to the same
 * nucleus (scikit-image's erosion does not erode from the image border). The class is id mod 3.
 */
export function interiorClasses(labels: LabelMap): InteriorMap {
  assertSingleChannel(labels, 'training target');
  const low = erode(labels, CROSS).data;
  const high = dilate(labels, CROSS).data;
  const ids = labels.data;
  const out = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id > 0 && low[i] === id && high[i] === id) out[i] = 1 + (id % 3);
  }
  return createRaster(out, labels.width, labels.height);
}

/** The target: the interiors plus, as class 4, every other pixel within distance 2 of an interior. */
export function withContourRing(interiors: InteriorMap): TargetMap {
  assertSingleChannel(interiors, 'contour ring');
  const near = binaryDilate(interiors, CONTOUR_RING).data;
  const inside = interiors.data;
  const out = new Uint8Array(inside.length);
  for (let i = 0; i < inside.length; i++) out[i] = inside[i] !== 0 ? inside[i] : near[i] !== 0 ? CONTOUR_CLASS : 0;
  return createRaster(out, interiors.width, interiors.height);
}

/** The 5-class target of an unaugmented label map (validation, §6: LabelBinarization2 only). */
export function trainingTarget(labels: LabelMap): TargetMap {
  return withContourRing(interiorClasses(labels));
}
