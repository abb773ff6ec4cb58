// Binary and grey dilation/erosion and object boundaries, equal to scikit-image's.
//
// scikit-image's grey morphology reflects the image at its border, binary erosion pads with 1 and
// binary dilation with 0. For footprints whose rows shrink away from the centre (disks, the cross,
// squares) all three equal taking the extremum over the part of the footprint inside the image, which
// is what these filters do.
import { assertSingleChannel, createRaster, type Mask, type PixelArray, type Raster } from './raster.js';

/**
 * A structuring element made of centred horizontal runs: row dy (−r..r) of the footprint covers
 * columns −halfWidths[dy + r]..halfWidths[dy + r]. Half-widths must not grow away from the centre row.
 */
export interface Footprint {
  readonly halfWidths: readonly number[];
}

/** scikit-image's disk(radius): every offset with dy² + dx² ≤ radius². */
export function disk(radius: number): Footprint {
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`disk radius must be a non-negative integer, got ${radius}`);
  const halfWidths = [];
  for (let dy = -radius; dy <= radius; dy++) halfWidths.push(Math.floor(Math.sqrt(radius * radius - dy * dy)));
  return { halfWidths };
}

/** The 3×3 cross (4-neighbourhood and centre), scikit-image's default; equal to disk(1). */
export const CROSS: Footprint = disk(1);

/** The full 3×3 square (8-neighbourhood and centre). */
export const SQUARE: Footprint = { halfWidths: [1, 1, 1] };

/** Grey dilation: the maximum over the footprint (skimage.morphology.dilation). */
export function dilate<T extends PixelArray>(image: Raster<T>, footprint: Footprint): Raster<T> {
  return extremumFilter(image, footprint, true);
}

/** Grey erosion: the minimum over the footprint (skimage.morphology.erosion). */
export function erode<T extends PixelArray>(image: Raster<T>, footprint: Footprint): Raster<T> {
  return extremumFilter(image, footprint, false);
}

/** skimage.morphology.binary_dilation of the nonzero pixels. */
export function binaryDilate(mask: Raster, footprint: Footprint): Mask {
  return extremumFilter(binarize(mask), footprint, true);
}

/** skimage.morphology.binary_erosion of the nonzero pixels (the outside counts as set). */
export function binaryErode(mask: Raster, footprint: Footprint): Mask {
  return extremumFilter(binarize(mask), footprint, false);
}

export type BoundaryMode = 'thick' | 'inner' | 'outer';

/**
 * skimage.segmentation.find_boundaries(labels, connectivity, mode) with background 0: pixels whose
 * neighbourhood (cross for 4-connectivity, square for 8) holds more than one value; 'inner' keeps
 * those on objects, 'outer' those on the background or where two objects touch.
 */
export function findBoundaries(labels: Raster, mode: BoundaryMode = 'thick', connectivity: 4 | 8 = 4): Mask {
  assertSingleChannel(labels, 'find boundaries');
  const data = labels.data;
  const neighbourhood = connectivity === 4 ? CROSS : SQUARE;
  const high = dilate(labels, neighbourhood).data;
  const low = erode(labels, neighbourhood).data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) if (high[i] !== low[i]) out[i] = 1;
  if (mode === 'inner') {
    for (let i = 0; i < data.length; i++) if (data[i] === 0) out[i] = 0;
  } else if (mode === 'outer') {
    // An object pixel stays only where another object touches it: the background is lifted to the
    // type's maximum so that the erosion sees past it (as scikit-image does).
    const lifted = data.slice();
    const top = largestValue(data);
    for (let i = 0; i < lifted.length; i++) if (lifted[i] === 0) lifted[i] = top;
    const objectHigh = dilate(labels, SQUARE).data;
    const liftedLow = erode(createRaster(lifted, labels.width, labels.height), SQUARE).data;
    for (let i = 0; i < data.length; i++) if (data[i] !== 0 && objectHigh[i] === liftedLow[i]) out[i] = 0;
  }
  return createRaster(out, labels.width, labels.height);
}

function largestValue(data: PixelArray): number {
  if (data instanceof Uint8Array) return 0xff;
  if (data instanceof Uint16Array) return 0xffff;
  if (data instanceof Int32Array) return 0x7fffffff;
  return Infinity;
}

function binarize(mask: Raster): Mask {
  assertSingleChannel(mask, 'binary morphology');
  const source = mask.data;
  const out = new Uint8Array(source.length);
  for (let i = 0; i < source.length; i++) if (source[i] !== 0) out[i] = 1;
  return createRaster(out, mask.width, mask.height);
}

// The footprint is split into rows: first each distinct row run is applied horizontally (growing the
// run one column each side at a time), then the rows are combined vertically. Every step folds a
// shifted, contiguous span of one array into another.
function extremumFilter<T extends PixelArray>(image: Raster<T>, footprint: Footprint, takeMax: boolean): Raster<T> {
  assertSingleChannel(image, takeMax ? 'dilation' : 'erosion');
  const halfWidths = checkedHalfWidths(footprint);
  const { width, height, data } = image;
  const radius = (halfWidths.length - 1) / 2;

  const rowRuns = new Map<number, T>([[0, data]]);
  let run = data;
  for (let h = 1; h <= halfWidths[radius] && h < width; h++) {
    run = run.slice() as T;
    for (let row = 0; row < data.length; row += width) {
      fold(run, row, data, row + h, width - h, takeMax);
      fold(run, row + h, data, row, width - h, takeMax);
    }
    rowRuns.set(h, run);
  }
  const runOf = (h: number): T => rowRuns.get(Math.min(h, width - 1)) as T;

  const out = runOf(halfWidths[radius]).slice() as T;
  for (let dy = 1; dy <= radius && dy < height; dy++) {
    const span = (height - dy) * width;
    fold(out, 0, runOf(halfWidths[radius + dy]), dy * width, span, takeMax);
    fold(out, dy * width, runOf(halfWidths[radius - dy]), 0, span, takeMax);
  }
  return createRaster(out, width, height);
}

/** target[targetStart + k] = extremum(target[targetStart + k], source[sourceStart + k]) for k < length. */
function fold(target: PixelArray, targetStart: number, source: PixelArray, sourceStart: number, length: number, takeMax: boolean): void {
  const offset = sourceStart - targetStart;
  const end = targetStart + length;
  if (takeMax) {
    for (let i = targetStart; i < end; i++) if (source[i + offset] > target[i]) target[i] = source[i + offset];
  } else {
    for (let i = targetStart; i < end; i++) if (source[i + offset] < target[i]) target[i] = source[i + offset];
  }
}

function checkedHalfWidths({ halfWidths }: Footprint): readonly number[] {
  const radius = (halfWidths.length - 1) / 2;
  const valid =
    Number.isInteger(radius) &&
    halfWidths.every((h, k) => Number.isInteger(h) && h >= 0 && h === halfWidths[halfWidths.length - 1 - k]) &&
    halfWidths.every((h, k) => k === 0 || (k <= radius ? h >= halfWidths[k - 1] : h <= halfWidths[k - 1]));
  if (!valid) throw new RangeError(`footprint rows must be symmetric and shrink away from the centre: [${halfWidths.join(', ')}]`);
  return halfWidths;
}
