// Which nuclei of a tile are the tile's to report: those whose centroid lies in its inner area. The
// inner areas partition the region, so every nucleus is reported once, by the tile that sees it with
// the most context around it. A reported nucleus that touches the edge of what the tile read (other
// than the slide's own edge) was seen only in part: the margin is narrower than the nucleus.
import type { ClassifiedNuclei } from '../infer/postprocess.js';
import { maxLabel, regionProps } from '../image/labels.js';
import { createRaster } from '../image/raster.js';
import type { SlideTile } from './tile-grid.js';

export interface OwnedNuclei extends ClassifiedNuclei {
  /** Reported nuclei that reach the edge of the read area inside the slide (cut by it). */
  readonly cut: number;
}

/**
 * The tile's own nuclei (labels over the tile's read area, others zeroed). `viewWidth` and
 * `viewHeight` give the slide's extent, where touching the read area's edge is no cut.
 */
export function ownedNuclei(nuclei: ClassifiedNuclei, { inner, read }: SlideTile, viewWidth: number, viewHeight: number): OwnedNuclei {
  const { labels } = nuclei;
  if (labels.width !== read.width || labels.height !== read.height) {
    throw new RangeError(`tile ${read.width}×${read.height} and its label map ${labels.width}×${labels.height} differ in size`);
  }
  const owned = new Uint8Array(maxLabel(labels) + 1);
  let cut = 0;
  for (const { id, bbox, centroid } of regionProps(labels)) {
    // The centroid's position in view coordinates of pixel corners.
    const x = read.x + centroid[1] + 0.5;
    const y = read.y + centroid[0] + 0.5;
    if (x < inner.x || x >= inner.x + inner.width || y < inner.y || y >= inner.y + inner.height) continue;
    owned[id] = 1;
    const [minRow, minCol, maxRow, maxCol] = bbox;
    const touches =
      (minCol === 0 && read.x > 0) ||
      (minRow === 0 && read.y > 0) ||
      (maxCol === read.width && read.x + read.width < viewWidth) ||
      (maxRow === read.height && read.y + read.height < viewHeight);
    if (touches) cut++;
  }
  const data = labels.data.map((id) => (owned[id] ? id : 0));
  const classProbabilities = new Map([...nuclei.classProbabilities].filter(([id]) => owned[id] === 1));
  return { labels: createRaster(data, labels.width, labels.height), classProbabilities, cut };
}
