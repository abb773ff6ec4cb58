// One nucleus cut out of a label map: its pixels as a binary mask over its bounding box, with a
// one-pixel empty margin all round so that neighbourhood operations and boundary tracing never
// need to check the edges.
import type { RegionProps } from '../image/labels.js';
import { createRaster, type LabelMap, type Mask } from '../image/raster.js';

export interface ObjectMask {
  /** 1 on the nucleus, 0 elsewhere; (bbox width + 2) × (bbox height + 2). */
  readonly mask: Mask;
  /** Image column and row of the mask's pixel (0, 0), the corner of the margin. */
  readonly left: number;
  readonly top: number;
}

export function cropObject(labels: LabelMap, { id, bbox }: RegionProps): ObjectMask {
  const [minRow, minCol, maxRow, maxCol] = bbox;
  const width = maxCol - minCol + 2;
  const height = maxRow - minRow + 2;
  const data = new Uint8Array(width * height);
  for (let row = minRow; row < maxRow; row++) {
    const source = row * labels.width;
    const target = (row - minRow + 1) * width + 1 - minCol;
    for (let col = minCol; col < maxCol; col++) if (labels.data[source + col] === id) data[target + col] = 1;
  }
  return { mask: createRaster(data, width, height), left: minCol - 1, top: minRow - 1 };
}
