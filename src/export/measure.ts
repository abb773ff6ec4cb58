// Every per-nucleus quantity the exports need, computed once into a NucleusRecord: class and class
// probabilities, scikit-image regionprops morphometrics, mean stain densities and the outline. The
// CSV, GeoJSON and summary writers only format records.
import { classOfId, regionProps, type NucleusClass } from '../image/labels.js';
import { assertSingleChannel, type LabelMap, type Raster } from '../image/raster.js';
import { traceOutline, type Outline } from './contour.js';
import { convexArea } from './convex-hull.js';
import { assertColour, stainDensity } from './hed.js';
import { cropObject, type ObjectMask } from './object-mask.js';
import { eccentricity, perimeter } from './shape.js';

/** [tumor, lymphocyte, stroma] probabilities of one nucleus. */
export type ClassProbabilities = readonly [number, number, number];

export interface NucleusRecord {
  readonly id: number;
  readonly nucleusClass: NucleusClass;
  /** The caller's class probabilities, or null where it had none for this nucleus. */
  readonly probabilities: ClassProbabilities | null;
  /** Mean pixel position, scikit-image's convention: pixel (x, y) is centred on (x, y). */
  readonly centroid: { readonly x: number; readonly y: number };
  /** Pixels. */
  readonly area: number;
  /** skimage's 4-connectivity perimeter estimate, in pixels. */
  readonly perimeter: number;
  /** Diameter of the circle of the same area, in pixels. */
  readonly equivalentDiameter: number;
  readonly eccentricity: number;
  /** Area over convex hull area. */
  readonly solidity: number;
  /** Mean haematoxylin and eosin densities (skimage.color.rgb2hed) over the nucleus's pixels. */
  readonly meanHaematoxylin: number;
  readonly meanEosin: number;
  /** Pixel-corner polygon(s), holes filled; see contour.ts. */
  readonly outline: Outline;
}

export interface MeasureInput {
  /** Paper encoding: 0 background, one id per nucleus, class = id mod 3. */
  readonly labels: LabelMap;
  /** The 8-bit RGB image the labels were predicted on. */
  readonly image: Raster<Uint8Array>;
  readonly probabilities?: ReadonlyMap<number, ClassProbabilities>;
  /** Where the label map lies in the output coordinates (a tile of a slide); the image's own by default. */
  readonly frame?: PixelFrame;
}

/**
 * Output coordinates of the label map's pixel corners: (x + scale·col, y + scale·row). Centroids and
 * outlines are given in them; areas and lengths stay in label-map pixels.
 */
export interface PixelFrame {
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

const IMAGE_FRAME: PixelFrame = { x: 0, y: 0, scale: 1 };

/** One record per nucleus id present, in increasing id order. Throws on inconsistent input. */
export function measureNuclei({ labels, image, probabilities, frame = IMAGE_FRAME }: MeasureInput): NucleusRecord[] {
  assertSingleChannel(labels, 'nucleus measurement');
  if (image.width !== labels.width || image.height !== labels.height) {
    throw new RangeError(`image ${image.width}×${image.height} and label map ${labels.width}×${labels.height} differ in size`);
  }
  assertColour(image);
  return regionProps(labels).map((region): NucleusRecord => {
    const object = cropObject(labels, region);
    const [haematoxylin, eosin] = stainSums(object, image);
    const area = region.area;
    return {
      id: region.id,
      nucleusClass: classOfId(region.id),
      probabilities: checkedProbabilities(region.id, probabilities?.get(region.id)),
      centroid: centreInFrame(region.centroid[1], region.centroid[0], frame),
      area,
      perimeter: perimeter(object.mask),
      equivalentDiameter: Math.sqrt((4 * area) / Math.PI),
      eccentricity: eccentricity(object.mask),
      solidity: area / convexArea(object.mask),
      meanHaematoxylin: haematoxylin / area,
      meanEosin: eosin / area,
      outline: inFrame(traceOutline(object), frame),
    };
  });
}

function isImageFrame({ x, y, scale }: PixelFrame): boolean {
  return x === 0 && y === 0 && scale === 1;
}

// A pixel's centre lies half a pixel inside its corner, in both coordinate systems.
function centreInFrame(col: number, row: number, frame: PixelFrame): { x: number; y: number } {
  if (isImageFrame(frame)) return { x: col, y: row };
  return { x: frame.x + frame.scale * (col + 0.5) - 0.5, y: frame.y + frame.scale * (row + 0.5) - 0.5 };
}

function inFrame(outline: Outline, frame: PixelFrame): Outline {
  if (isImageFrame(frame)) return outline;
  const { x, y, scale } = frame;
  return outline.map((ring) => ring.map(([col, row]): [number, number] => [x + scale * col, y + scale * row]));
}

// Summed haematoxylin and eosin densities over the object's pixels (only these are deconvolved: a
// whole slide tile's densities in float64 would be 127 MB).
function stainSums({ mask, left, top }: ObjectMask, image: Raster<Uint8Array>): [number, number] {
  const { width, channels, data } = image;
  let haematoxylin = 0;
  let eosin = 0;
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    const x = left + (i % mask.width);
    const y = top + Math.floor(i / mask.width);
    const pixel = channels * (y * width + x);
    haematoxylin += stainDensity(0, data[pixel], data[pixel + 1], data[pixel + 2]);
    eosin += stainDensity(1, data[pixel], data[pixel + 1], data[pixel + 2]);
  }
  return [haematoxylin, eosin];
}

function checkedProbabilities(id: number, values: ClassProbabilities | undefined): ClassProbabilities | null {
  if (values === undefined) return null;
  if (values.length !== 3 || !values.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)) {
    throw new RangeError(`nucleus ${id}: class probabilities must be three numbers in [0, 1], got [${values.join(', ')}]`);
  }
  return values;
}
