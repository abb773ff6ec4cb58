// The slide overlay (the slide at the model's scale with nucleus outlines) as a pyramidal tiled TIFF
// that slide viewers and OpenSlide open. Tiles are written as they finish into an uncompressed
// libvips image file (.v: a 64-byte header, then the pixels), which libvips then streams into the
// pyramid: memory stays flat whatever the slide's size. The canvas stores 255 − value, so the
// parts never written (background tiles; the file is sparse there) come out white.
import { closeSync, existsSync, ftruncateSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Raster } from '../image/raster.js';

const HEADER_BYTES = 64;
const VIPS_MAGIC_LITTLE_ENDIAN = 0xb6a6f208;
const VIPS_FORMAT_UCHAR = 0;
const VIPS_CODING_NONE = 0;
const VIPS_INTERPRETATION_SRGB = 22;

export class OverlayCanvas {
  private fd: number | null;

  /** Opens the canvas at `path`, keeping what an earlier (interrupted) run drew there. */
  constructor(
    readonly path: string,
    readonly width: number,
    readonly height: number,
    /** µm per pixel, recorded as the TIFF's resolution. */
    readonly mpp: number,
  ) {
    const bytes = HEADER_BYTES + width * height * 3;
    const reuse = existsSync(path) && statSync(path).size === bytes;
    const fd = openSync(path, reuse ? 'r+' : 'w');
    if (!reuse) {
      ftruncateSync(fd, bytes);
      writeSync(fd, this.header(), 0, HEADER_BYTES, 0);
    }
    this.fd = fd;
  }

  /** Draws an RGB image with its top-left corner at (x, y). */
  put(image: Raster<Uint8Array>, x: number, y: number): void {
    const fd = this.open();
    const rowBytes = image.width * 3;
    const row = Buffer.alloc(rowBytes);
    for (let r = 0; r < image.height; r++) {
      const from = r * rowBytes;
      for (let i = 0; i < rowBytes; i++) row[i] = 255 - image.data[from + i];
      writeSync(fd, row, 0, rowBytes, HEADER_BYTES + ((y + r) * this.width + x) * 3);
    }
  }

  /** Writes the pyramidal TIFF (JPEG tiles) to `target`, atomically. */
  async writePyramid(target: string): Promise<void> {
    const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
    try {
      await sharp(this.path, { limitInputPixels: false })
        .negate()
        .tiff({ tile: true, pyramid: true, tileWidth: 512, tileHeight: 512, compression: 'jpeg', quality: 90, xres: 1000 / this.mpp, yres: 1000 / this.mpp, resolutionUnit: 'cm' })
        .toFile(temporary);
      renameSync(temporary, target);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /** Safe to call more than once. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.path}: the overlay canvas was closed`);
    return this.fd;
  }

  private header(): Buffer {
    const header = Buffer.alloc(HEADER_BYTES);
    const pixelsPerMm = 1000 / this.mpp;
    header.writeUInt32BE(VIPS_MAGIC_LITTLE_ENDIAN, 0);
    [this.width, this.height, 3, 8, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE, VIPS_INTERPRETATION_SRGB].forEach((value, k) => header.writeInt32LE(value, 4 + 4 * k));
    header.writeFloatLE(pixelsPerMm, 32);
    header.writeFloatLE(pixelsPerMm, 36);
    return header;
  }
}
