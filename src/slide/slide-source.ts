// A slide opened for reading: any file OpenSlide reads (SVS, NDPI, MRXS, generic tiled TIFF, ...),
// or a large plain TIFF/PNG/JPEG, which is first rewritten (by libvips, streaming) as a pyramidal tiled
// TIFF in a temporary folder so that every slide is read through OpenSlide, region by region. The
// pixel size comes from the slide, or from the user where the slide states none. Failures are
// ImageFileErrors naming the file.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { checkPixelSize } from '../export/fields.js';
import { ImageFileError } from '../image/io.js';
import type { Raster } from '../image/raster.js';
import { detectSlideVendor, OpenSlide, type SlideLevel } from './openslide.js';

/** Images at least this large (pixels) go through the slide path, smaller ones are processed whole. */
export const SLIDE_MIN_PIXELS = 5000 * 5000;

// Pixel sizes outside this range (µm) are not a microscope's: TIFF writers put 72 dpi by default.
const PLAUSIBLE_MPP: readonly [number, number] = [0.02, 50];

export type PixelSizeSource = 'slide' | 'tiff-resolution' | 'user';

export interface SlideOpenOptions {
  /** µm per level-0 pixel, overriding what the slide states (the CLI's --mpp). */
  mpp?: number;
}

export class Slide {
  private constructor(
    readonly path: string,
    private readonly reader: OpenSlide,
    /** µm per level-0 pixel. */
    readonly mpp: number,
    readonly mppSource: PixelSizeSource,
    private readonly temporaryDir: string | null,
  ) {}

  static async open(path: string, options: SlideOpenOptions = {}): Promise<Slide> {
    if (options.mpp !== undefined) checkPixelSize(options.mpp);
    try {
      if (!statSync(path).isFile()) throw new Error('not a file');
    } catch (error) {
      throw new ImageFileError(path, `cannot open (${messageOf(error)})`);
    }
    let readable = path;
    let temporaryDir: string | null = null;
    let statedMpp: number | null = null;
    if (detectSlideVendor(path) === null) {
      temporaryDir = mkdtempSync(join(tmpdir(), 'histonuc-slide-'));
      try {
        readable = join(temporaryDir, 'slide.tiff');
        statedMpp = await rewriteAsTiledTiff(path, readable);
      } catch (error) {
        rmSync(temporaryDir, { recursive: true, force: true });
        throw error;
      }
    }
    let reader: OpenSlide;
    try {
      reader = new OpenSlide(readable);
    } catch (error) {
      if (temporaryDir !== null) rmSync(temporaryDir, { recursive: true, force: true });
      throw new ImageFileError(path, `corrupt or unsupported slide (${messageOf(error)})`);
    }
    statedMpp ??= pixelSizeOf(reader.properties);
    const mpp = options.mpp ?? statedMpp;
    if (mpp === null) {
      reader.close();
      if (temporaryDir !== null) rmSync(temporaryDir, { recursive: true, force: true });
      throw new ImageFileError(path, 'the slide does not state its pixel size; give it with --mpp (µm per pixel, about 0.25 for a 40× scan, 0.5 for 20×)');
    }
    const source: PixelSizeSource = options.mpp !== undefined ? 'user' : reader.properties['openslide.mpp-x'] !== undefined ? 'slide' : 'tiff-resolution';
    return new Slide(path, reader, mpp, source, temporaryDir);
  }

  get levels(): readonly SlideLevel[] {
    return this.reader.levels;
  }

  get width(): number {
    return this.reader.levels[0].width;
  }

  get height(): number {
    return this.reader.levels[0].height;
  }

  /** What identifies the slide's content for resuming: its level sizes and OpenSlide's hash. */
  get fingerprint(): string {
    const levels = this.levels.map((level) => `${level.width}x${level.height}`).join(',');
    return `${levels};${this.reader.properties['openslide.quickhash-1'] ?? ''}`;
  }

  /** RGB pixels of a level; x and y are level-0 coordinates of the top-left corner. */
  readRegion(level: number, x: number, y: number, width: number, height: number): Raster<Uint8Array> {
    try {
      return this.reader.readRegion(level, x, y, width, height);
    } catch (error) {
      throw new ImageFileError(this.path, `cannot read pixels (${messageOf(error).replace(`${this.reader.path}: `, '')})`);
    }
  }

  close(): void {
    this.reader.close();
    if (this.temporaryDir !== null) rmSync(this.temporaryDir, { recursive: true, force: true });
  }
}

/** Whether `histonuc predict` should treat the file as a whole slide rather than one image. */
export async function isSlidePath(path: string): Promise<boolean> {
  const vendor = detectSlideVendor(path);
  if (vendor !== null && vendor !== 'generic-tiff') return true;
  if (vendor === 'generic-tiff') {
    let reader: OpenSlide;
    try {
      reader = new OpenSlide(path);
    } catch {
      return true; // a tiled TIFF OpenSlide cannot open: the slide path says why
    }
    const [base] = reader.levels;
    const pyramidOrLarge = reader.levels.length > 1 || base.width * base.height >= SLIDE_MIN_PIXELS;
    reader.close();
    return pyramidOrLarge;
  }
  try {
    const { width = 0, height = 0 } = await sharp(path, { limitInputPixels: false }).metadata();
    return width * height >= SLIDE_MIN_PIXELS;
  } catch {
    return false;
  }
}

// µm per pixel from OpenSlide's properties, or from the TIFF resolution tags where it gives none
// (OpenSlide 3.4 does not read them for generic TIFFs); null where neither is plausible.
function pixelSizeOf(properties: Readonly<Record<string, string>>): number | null {
  const x = Number(properties['openslide.mpp-x']);
  const y = Number(properties['openslide.mpp-y']);
  if (plausible(x) && plausible(y)) return (x + y) / 2;
  const micronsPerUnit: Record<string, number> = { centimeter: 1e4, inch: 25400 };
  const unit = micronsPerUnit[properties['tiff.ResolutionUnit'] ?? ''];
  const resolution = Number(properties['tiff.XResolution']);
  const fromTags = unit === undefined || !(resolution > 0) ? NaN : unit / resolution;
  return plausible(fromTags) ? fromTags : null;
}

function plausible(mpp: number): boolean {
  return Number.isFinite(mpp) && mpp >= PLAUSIBLE_MPP[0] && mpp <= PLAUSIBLE_MPP[1];
}

// Rewrites a plain image as a pyramidal tiled TIFF (lossless) and returns the µm per pixel its
// resolution states, or null.
async function rewriteAsTiledTiff(path: string, target: string): Promise<number | null> {
  let density: number | undefined;
  try {
    const metadata = await sharp(path, { limitInputPixels: false }).metadata();
    if (!['tiff', 'png', 'jpeg'].includes(metadata.format)) throw new Error(`${metadata.format} images are not slides`);
    density = metadata.format === 'png' && metadata.density === 72 ? undefined : metadata.density;
    await sharp(path, { limitInputPixels: false })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .tiff({ tile: true, pyramid: true, tileWidth: 512, tileHeight: 512, compression: 'lzw' })
      .toFile(target);
  } catch (error) {
    throw new ImageFileError(path, `not a slide or image histonuc can read (${messageOf(error)})`);
  }
  const mpp = density === undefined ? NaN : 25400 / density;
  return plausible(mpp) ? mpp : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
