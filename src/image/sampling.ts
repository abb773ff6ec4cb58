// Interpolating an image through a sampling field (src/image/geometry.ts): bilinear for images,
// nearest for label maps and weight maps; pixels outside the field get a fill value.
import type { SamplingField } from './geometry.js';
import { createRaster, emptyLike, type PixelArray, type Raster } from './raster.js';

/**
 * Bilinear interpolation of every channel, as float. Within half a pixel of the border the edge
 * pixels extend outwards (scipy's map_coordinates with mode='nearest').
 */
export function sampleBilinear(image: Raster, field: SamplingField, fill = 0): Raster<Float32Array> {
  checkSource(image, field);
  const { width, height, channels, data } = image;
  const out = new Float32Array(field.width * field.height * channels);
  const lastX = width - 1;
  const lastY = height - 1;
  for (let i = 0, o = 0; i < field.x.length; i++, o += channels) {
    const x = field.x[i];
    const y = field.y[i];
    if (Number.isNaN(x)) {
      out.fill(fill, o, o + channels);
      continue;
    }
    const cx = x < 0 ? 0 : x > lastX ? lastX : x;
    const cy = y < 0 ? 0 : y > lastY ? lastY : y;
    const x0 = Math.floor(cx);
    const y0 = Math.floor(cy);
    const tx = cx - x0;
    const ty = cy - y0;
    const stepX = x0 < lastX ? channels : 0;
    const stepY = y0 < lastY ? width * channels : 0;
    const topLeft = (y0 * width + x0) * channels;
    for (let c = 0; c < channels; c++) {
      const p = topLeft + c;
      const top = data[p] + tx * (data[p + stepX] - data[p]);
      const bottom = data[p + stepY] + tx * (data[p + stepY + stepX] - data[p + stepY]);
      out[o + c] = top + ty * (bottom - top);
    }
  }
  return createRaster(out, field.width, field.height, channels);
}

/** Nearest-neighbour sampling (halves round up), keeping the image's sample type. */
export function sampleNearest<T extends PixelArray>(image: Raster<T>, field: SamplingField, fill = 0): Raster<T> {
  checkSource(image, field);
  const { width, height, channels, data } = image;
  const out = emptyLike(data, field.width * field.height * channels);
  const lastX = width - 1;
  const lastY = height - 1;
  for (let i = 0, o = 0; i < field.x.length; i++, o += channels) {
    const x = field.x[i];
    if (Number.isNaN(x)) {
      out.fill(fill, o, o + channels);
      continue;
    }
    const col = Math.min(Math.max(Math.floor(x + 0.5), 0), lastX);
    const row = Math.min(Math.max(Math.floor(field.y[i] + 0.5), 0), lastY);
    const p = (row * width + col) * channels;
    for (let c = 0; c < channels; c++) out[o + c] = data[p + c];
  }
  return createRaster(out, field.width, field.height, channels);
}

function checkSource(image: Raster, field: SamplingField): void {
  if (image.width !== field.sourceWidth || image.height !== field.sourceHeight) {
    throw new RangeError(`the field samples a ${field.sourceWidth}×${field.sourceHeight} image, got ${image.width}×${image.height}`);
  }
}
