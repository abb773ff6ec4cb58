// Binary and grey dilation/erosion and object boundaries, equal to scikit-image's.
//
// scikit-image's grey morphology reflects the image at its border, binary erosion pads with 1 and
// binary dilation with 0. For footprints whose rows shrink away from the centre (disks, the cross,
// squares) all three equal taking the extremum over the part of the footprint inside the image, which
// is what these filters do. Erosions are computed as dilations of order-reversed values.
import { assertSingleChannel, createRaster, emptyLike, type Mask, type PixelArray, type Raster } from './raster.js';

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
  assertSingleChannel(image, 'dilation');
  return createRaster(maximumFilter(image.data, image.width, image.height, footprint, false), image.width, image.height);
}

/** Grey erosion: the minimum over the footprint (skimage.morphology.erosion), as a dilation of the order-reversed values. */
export function erode<T extends PixelArray>(image: Raster<T>, footprint: Footprint): Raster<T> {
  assertSingleChannel(image, 'erosion');
  const reversed = reverseOrder(image.data, emptyLike(image.data));
  const out = maximumFilter(reversed, image.width, image.height, footprint, true);
  return createRaster(reverseOrder(out, out), image.width, image.height);
}

/** skimage.morphology.binary_dilation of the nonzero pixels. */
export function binaryDilate(mask: Raster, footprint: Footprint): Mask {
  return binaryFilter(mask, footprint, false);
}

/** skimage.morphology.binary_erosion of the nonzero pixels (the outside counts as set). */
export function binaryErode(mask: Raster, footprint: Footprint): Mask {
  return binaryFilter(mask, footprint, true);
}

export type BoundaryMode = 'thick' | 'inner' | 'outer';

/**
 * skimage.segmentation.find_boundaries(labels, connectivity, mode) with background 0: 'thick' marks
 * pixels with a neighbour (4- or 8-connected, inside the image) of another value, i.e. where
 * dilation and erosion by the cross or square differ; 'inner' keeps those on objects; 'outer' keeps
 * those on the background and the object pixels that touch another object (8-connected).
 * (scikit-image finds the latter with the background lifted to the type's maximum id, so an object
 * with that very id would count as background there.)
 */
export function findBoundaries(labels: Raster, mode: BoundaryMode = 'thick', connectivity: 4 | 8 = 4): Mask {
  assertSingleChannel(labels, 'find boundaries');
  const { width, height, data } = labels;
  const boundary = markDifferentNeighbours(labels, connectivity, false);
  if (mode === 'inner') {
    for (let i = 0; i < data.length; i++) if (data[i] === 0) boundary[i] = 0;
  } else if (mode === 'outer') {
    const touchesOther = markDifferentNeighbours(labels, 8, true);
    for (let i = 0; i < data.length; i++) if (data[i] !== 0 && touchesOther[i] === 0) boundary[i] = 0;
  }
  return createRaster(boundary, width, height);
}

/**
 * 1 for every pixel with a neighbour (inside the image) of a different value; with `objectsOnly`
 * only neighbours that are objects (nonzero) count. Each neighbouring pair is compared once.
 */
function markDifferentNeighbours({ width, height, data }: Raster, connectivity: 4 | 8, objectsOnly: boolean): Uint8Array {
  const marks = new Uint8Array(data.length);
  const directions = connectivity === 4 ? [[1, 0], [0, 1]] : [[1, 0], [0, 1], [1, 1], [-1, 1]];
  for (const [dx, dy] of directions) {
    const offset = dy * width + dx;
    const first = Math.max(0, -dx);
    const end = width - Math.max(0, dx);
    for (let y = 0; y + dy < height; y++) {
      const rowEnd = y * width + end;
      for (let i = y * width + first; i < rowEnd; i++) {
        const a = data[i];
        const b = data[i + offset];
        if (a === b) continue;
        if (!objectsOnly || b !== 0) marks[i] = 1;
        if (!objectsOnly || a !== 0) marks[i + offset] = 1;
      }
    }
  }
  return marks;
}

/** Writes top − v for every value into `out`: an order-reversing bijection of the type's values. */
function reverseOrder<T extends PixelArray>(data: T, out: T): T {
  const top = data instanceof Uint8Array ? 0xff : data instanceof Uint16Array ? 0xffff : data instanceof Int32Array ? -1 : 0;
  for (let i = 0; i < data.length; i++) out[i] = top - data[i];
  return out;
}

// Both filters split the footprint into rows. Each distinct row run is built by widening the
// previous one by a column on each side; output row y starts as the centre run of image row y and
// takes in, for every dy, the run of footprint row dy from image rows y − dy and y + dy. Where one
// of those rows falls outside the image, image row y itself stands in: its run is no wider than the
// centre run already taken in, so it changes nothing.
type RowArray = PixelArray | Uint32Array;

interface RowKernels<A extends RowArray> {
  /** A new array: every element combined with its left and right neighbours in the same row. */
  widen(run: A): A;
  /** out[row y] = combine(out[y], rows[y − dy], rows[y + dy]), in place. */
  foldRowPair(out: A, rows: A, dy: number): void;
}

/** Visits each row y with the offsets of rows y, y − dy and y + dy (row y where those fall outside). */
function forRowPairs(height: number, rowLength: number, dy: number, visit: (row: number, up: number, down: number) => void): void {
  for (let y = 0; y < height; y++) {
    const row = y * rowLength;
    visit(row, y >= dy ? row - dy * rowLength : row, y + dy < height ? row + dy * rowLength : row);
  }
}

/** `overwriteBase`: the base array is a scratch copy that may become the output. */
function separableFilter<A extends RowArray>(base: A, overwriteBase: boolean, halfWidths: readonly number[], widest: number, kernels: RowKernels<A>): A {
  const radius = (halfWidths.length - 1) / 2;
  const runs = [base];
  for (let h = 1; h <= Math.min(halfWidths[radius], widest); h++) runs.push(kernels.widen(runs[h - 1]));
  const runOf = (h: number): A => runs[Math.min(h, runs.length - 1)];
  const centre = runOf(halfWidths[radius]);
  // The centre run can collect the result in place unless another footprint row reads it too.
  const shared = (centre === base && !overwriteBase) || halfWidths.some((h, k) => k !== radius && runOf(h) === centre);
  const out = shared ? (centre.slice() as A) : centre;
  for (let dy = 1; dy <= radius; dy++) kernels.foldRowPair(out, runOf(halfWidths[radius + dy]), dy);
  return out;
}

function maximumFilter<T extends PixelArray>(data: T, width: number, height: number, footprint: Footprint, overwriteData: boolean): T {
  return separableFilter(data, overwriteData, checkedHalfWidths(footprint), width - 1, {
    widen: (run) => {
      const next = emptyLike(run);
      for (let row = 0; row < run.length; row += width) {
        const last = row + width - 1;
        let left = run[row];
        let middle = left;
        for (let i = row; i < last; i++) {
          const right = run[i + 1];
          const m = left > middle ? left : middle;
          next[i] = right > m ? right : m;
          left = middle;
          middle = right;
        }
        next[last] = left > middle ? left : middle;
      }
      return next;
    },
    foldRowPair: (target, rows, dy) =>
      forRowPairs(height, width, dy, (row, up, down) => {
        for (let x = 0; x < width; x++) {
          const a = rows[up + x];
          const b = rows[down + x];
          const m = a > b ? a : b;
          const t = target[row + x];
          target[row + x] = m > t ? m : t;
        }
      }),
  });
}

// Binary masks are packed as 0/1 bytes, four to a 32-bit word (little-endian: pixel x is byte x),
// each row padded with at least one 0 byte to whole words, so that OR on words dilates four pixels
// at once. Erosion is the dilation of the complement (with the outside set, its complement is 0).
function binaryFilter(mask: Raster, footprint: Footprint, erosion: boolean): Mask {
  assertSingleChannel(mask, erosion ? 'binary erosion' : 'binary dilation');
  const { width, height, data } = mask;
  const rowWords = (width >> 2) + 1;
  const rowBytes = 4 * rowWords;
  const flip = erosion ? 1 : 0;
  const flipWord = erosion ? 0x01010101 : 0;
  // With rows of whole words in the mask too, four pixels are packed or unpacked at a time.
  const wordRows = width % 4 === 0 && data instanceof Uint8Array && data.byteOffset % 4 === 0;
  const maskWords = wordRows ? new Uint32Array(data.buffer, data.byteOffset, data.length >> 2) : undefined;
  const bytes = new Uint8Array(rowBytes * height);
  const words = new Uint32Array(bytes.buffer);
  for (let y = 0; y < height; y++) {
    if (maskWords) {
      for (let k = 0, i = y * (width >> 2), j = y * rowWords; k < width >> 2; k++, i++, j++) {
        const word = maskWords[i];
        let nonzero = word | (word >>> 4);
        nonzero |= nonzero >>> 2;
        nonzero |= nonzero >>> 1;
        words[j] = (nonzero & 0x01010101) ^ flipWord;
      }
    } else {
      for (let x = 0, i = y * width, j = y * rowBytes; x < width; x++, i++, j++) bytes[j] = (data[i] !== 0 ? 1 : 0) ^ flip;
    }
  }
  const packed = separableFilter(words, true, checkedHalfWidths(footprint), width - 1, {
    widen: (run) => {
      const next = new Uint32Array(run.length);
      const last = run.length - 1;
      for (let k = 0; k <= last; k++) {
        const word = run[k];
        const left = (word << 8) | (k > 0 ? run[k - 1] >>> 24 : 0);
        const right = (word >>> 8) | (k < last ? run[k + 1] << 24 : 0);
        next[k] = word | left | right;
      }
      const nextBytes = new Uint8Array(next.buffer);
      for (let row = 0; row < nextBytes.length; row += rowBytes) nextBytes.fill(0, row + width, row + rowBytes);
      return next;
    },
    foldRowPair: (target, rows, dy) =>
      forRowPairs(height, rowWords, dy, (row, up, down) => {
        for (let k = 0; k < rowWords; k++) target[row + k] |= rows[up + k] | rows[down + k];
      }),
  });
  const packedBytes = new Uint8Array(packed.buffer);
  const out = new Uint8Array(width * height);
  const outWords = new Uint32Array(out.buffer, 0, wordRows ? out.length >> 2 : 0);
  for (let y = 0; y < height; y++) {
    if (wordRows) {
      for (let k = 0, i = y * (width >> 2), j = y * rowWords; k < width >> 2; k++, i++, j++) outWords[i] = packed[j] ^ flipWord;
    } else {
      for (let x = 0, i = y * width, j = y * rowBytes; x < width; x++, i++, j++) out[i] = packedBytes[j] ^ flip;
    }
  }
  return createRaster(out, width, height);
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
