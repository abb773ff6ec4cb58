// The in-memory image type shared by the whole toolkit: pixels interleaved (row-major, channels
// last) in one typed array, as sharp and libvips hold them.

export type PixelArray = Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;

export interface Raster<T extends PixelArray = PixelArray> {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** width·height·channels values; pixel (x, y), channel c at (y·width + x)·channels + c. */
  readonly data: T;
}

/** An instance label map: 0 background, one positive id per object (channels = 1). */
export type LabelMap = Raster<Int32Array>;

/** A binary mask: 1 inside, 0 outside (channels = 1). */
export type Mask = Raster<Uint8Array>;

export function createRaster<T extends PixelArray>(data: T, width: number, height: number, channels = 1): Raster<T> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid raster size ${width}×${height}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`raster ${width}×${height}×${channels} needs ${width * height * channels} values, got ${data.length}`);
  }
  return { width, height, channels, data };
}

/** Throws unless the raster has one channel; `operation` names what needed it. */
export function assertSingleChannel(raster: Raster, operation: string): void {
  if (raster.channels !== 1) throw new RangeError(`${operation} needs a single-channel raster, got ${raster.channels} channels`);
}

/** A zeroed array of the same type as `data` (of `length` values, by default as many). */
export function emptyLike<T extends PixelArray>(data: T, length = data.length): T {
  return new (data.constructor as new (length: number) => T)(length);
}
