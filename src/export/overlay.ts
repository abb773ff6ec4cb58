// The overlay image: the RGB image with each nucleus's one-pixel inner boundary painted in its class
// colour (tumor red, lymphocyte green, stroma blue), like the reference's _seg_colored_3types image
// but outlined rather than filled, so the nuclei stay visible. Touching nuclei each keep their own
// outline.
import { writePng } from '../image/io.js';
import { classOfId } from '../image/labels.js';
import { findBoundaries } from '../image/morphology.js';
import { createRaster, type LabelMap, type Raster } from '../image/raster.js';
import { CLASS_COLOURS } from './class-style.js';

export function drawOverlay(labels: LabelMap, image: Raster<Uint8Array>): Raster<Uint8Array> {
  const { width, height } = labels;
  if (image.width !== width || image.height !== height || image.channels < 3) {
    throw new RangeError(`overlay needs an RGB image of the label map's size ${width}×${height}, got ${image.width}×${image.height}×${image.channels}`);
  }
  const outline = findBoundaries(labels, 'inner').data;
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const colour = outline[p] ? CLASS_COLOURS[classOfId(labels.data[p])] : null;
    for (let c = 0; c < 3; c++) out[3 * p + c] = colour ? colour[c] : image.data[p * image.channels + c];
  }
  return createRaster(out, width, height, 3);
}

/** Draws the overlay and writes it as an 8-bit RGB PNG (atomically). */
export async function writeOverlay(path: string, labels: LabelMap, image: Raster<Uint8Array>): Promise<void> {
  await writePng(path, drawOverlay(labels, image));
}
