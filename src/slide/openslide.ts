// The OpenSlide binding of the native addon (native/src/openslide.cc), typed: whole-slide images in
// the formats OpenSlide reads (SVS, NDPI, MRXS, SCN, generic tiled TIFF, ...), read level by level.
import { native } from '../engine/native.js';
import { createRaster, type Raster } from '../image/raster.js';

interface SlideHandle {
  readonly __brand: 'SlideHandle';
}

export interface SlideLevel {
  readonly width: number;
  readonly height: number;
  /** Level-0 pixels per pixel of this level. */
  readonly downsample: number;
}

interface OpenSlideBinding {
  openslideDetectVendor(path: string): string | null;
  openslideOpen(path: string): SlideHandle;
  openslideClose(slide: SlideHandle): void;
  openslideLevels(slide: SlideHandle): SlideLevel[];
  openslideProperties(slide: SlideHandle): Record<string, string>;
  openslideReadRegion(slide: SlideHandle, level: number, x: number, y: number, width: number, height: number): Uint8Array;
}

const binding = native as unknown as OpenSlideBinding;

/** OpenSlide's name for the file's format ('aperio', 'generic-tiff', ...), or null if it cannot read it. */
export function detectSlideVendor(path: string): string | null {
  return binding.openslideDetectVendor(path);
}

export class OpenSlide {
  readonly levels: readonly SlideLevel[];
  readonly properties: Readonly<Record<string, string>>;
  #handle: SlideHandle | null;

  /** Opens a slide; throws an Error naming the file when OpenSlide cannot read it. */
  constructor(readonly path: string) {
    this.#handle = withoutPrefix(() => binding.openslideOpen(path));
    try {
      this.levels = withoutPrefix(() => binding.openslideLevels(this.handle));
      this.properties = withoutPrefix(() => binding.openslideProperties(this.handle));
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * An RGB region of a level, background composited onto white. x and y are level-0 coordinates of
   * the region's top-left corner (OpenSlide's convention); width and height are level pixels.
   */
  readRegion(level: number, x: number, y: number, width: number, height: number): Raster<Uint8Array> {
    const data = withoutPrefix(() => binding.openslideReadRegion(this.handle, level, x, y, width, height));
    return createRaster(data, width, height, 3);
  }

  close(): void {
    if (this.#handle !== null) binding.openslideClose(this.#handle);
    this.#handle = null;
  }

  private get handle(): SlideHandle {
    if (this.#handle === null) throw new Error(`${this.path}: the slide was closed`);
    return this.#handle;
  }
}

// The addon prefixes messages with the native function's name; the file name says more to a user.
function withoutPrefix<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof Error) error.message = error.message.replace(/^openslide\w+: /, '');
    throw error;
  }
}
