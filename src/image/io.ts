// Reading and writing rasters through sharp (libvips): PNG, JPEG and TIFF in; PNG and TIFF out.
// Samples are 8-bit (Uint8Array) or 16-bit (Uint16Array); label maps are single-channel 8- or
// 16-bit images. Files are written atomically.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { writeFileAtomic } from '../util/atomic-file.js';
import { FileError } from '../util/file-error.js';
import { maxLabel } from './labels.js';
import { createRaster, type LabelMap, type Raster } from './raster.js';

export type ImageRaster = Raster<Uint8Array> | Raster<Uint16Array>;

/** An unreadable, unsupported or unwritable image file; the message names the file. */
export class ImageFileError extends FileError {}

const readableFormats = new Set(['png', 'jpeg', 'tiff']);
const sampleBits: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, double: 64 };

/** A PNG, JPEG or TIFF (first page) as stored: 1 to 4 channels of 8- or 16-bit samples. */
export async function readImage(path: string): Promise<ImageRaster> {
  let bytes: Buffer;
  let metadata: sharp.Metadata;
  try {
    bytes = await readFile(path);
    if (bytes.length === 0) throw new Error('the file is empty');
    metadata = await sharp(bytes).metadata();
  } catch (error) {
    throw new ImageFileError(path, `cannot read image (${messageOf(error)})`);
  }
  if (!readableFormats.has(metadata.format)) {
    throw new ImageFileError(path, `unsupported format ${metadata.format}; PNG, JPEG and TIFF are read`);
  }
  if (metadata.depth !== 'uchar' && metadata.depth !== 'ushort') {
    throw new ImageFileError(path, `unsupported ${sampleBits[metadata.depth] ?? '?'}-bit ${metadata.depth} samples; 8- and 16-bit images are read`);
  }
  if (metadata.space === 'cmyk') throw new ImageFileError(path, 'unsupported CMYK colour space');
  const wide = metadata.depth === 'ushort';
  const grey = metadata.channels <= 2;
  let pipeline = sharp(bytes);
  if (grey || wide) pipeline = pipeline.toColourspace(grey ? (wide ? 'grey16' : 'b-w') : 'rgb16');
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await pipeline.raw({ depth: wide ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageFileError(path, `corrupt or truncated image data (${messageOf(error)})`);
  }
  const { data, info } = decoded;
  if (info.width === 0 || info.height === 0) throw new ImageFileError(path, 'image has no pixels');
  // Copy out of sharp's (possibly pooled, possibly unaligned) buffer.
  const samples = wide ? new Uint16Array(data.byteLength / 2) : new Uint8Array(data.byteLength);
  new Uint8Array(samples.buffer).set(data);
  return createRaster(samples, info.width, info.height, info.channels) as ImageRaster;
}

/** An 8-bit RGB image: grey is repeated into three channels and alpha is dropped. */
export async function readRgb(path: string): Promise<Raster<Uint8Array>> {
  const image = await readImage(path);
  if (!(image.data instanceof Uint8Array)) throw new ImageFileError(path, 'expected an 8-bit image, found 16-bit samples');
  const { width, height, channels, data } = image;
  if (channels === 3) return image as Raster<Uint8Array>;
  const rgb = new Uint8Array(width * height * 3);
  const colour = channels >= 3;
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = data[p * channels + (colour ? c : 0)];
  }
  return createRaster(rgb, width, height, 3);
}

/** An instance label map from a single-channel 8- or 16-bit PNG or TIFF. */
export async function readLabels(path: string): Promise<LabelMap> {
  const image = await readImage(path);
  if (image.channels !== 1) {
    throw new ImageFileError(path, `a label map must be a single-channel (grey) image, this one has ${image.channels} channels`);
  }
  return createRaster(Int32Array.from(image.data), image.width, image.height);
}

/** Writes an 8- or 16-bit PNG (1 to 4 channels). */
export async function writePng(path: string, image: Raster): Promise<void> {
  await writeEncoded(path, image, (pipeline) => pipeline.png());
}

/** Writes an 8- or 16-bit TIFF (1 to 4 channels), LZW-compressed. */
export async function writeTiff(path: string, image: Raster): Promise<void> {
  await writeEncoded(path, image, (pipeline) => pipeline.tiff({ compression: 'lzw' }));
}

/** Writes a label map (ids 0..65535) as a 16-bit grey PNG or TIFF, chosen by the file extension. */
export async function writeLabels(path: string, labels: LabelMap): Promise<void> {
  const extension = extname(path).toLowerCase();
  const write = extension === '.png' ? writePng : extension === '.tif' || extension === '.tiff' ? writeTiff : undefined;
  if (!write) throw new ImageFileError(path, `label maps are written as .png or .tif(f), not ${extension || 'without extension'}`);
  if (labels.channels !== 1) throw new ImageFileError(path, `a label map must have one channel, got ${labels.channels}`);
  let largest: number;
  try {
    largest = maxLabel(labels);
  } catch (error) {
    throw new ImageFileError(path, messageOf(error));
  }
  if (largest > 0xffff) throw new ImageFileError(path, `label id ${largest} does not fit a 16-bit image`);
  await write(path, createRaster(Uint16Array.from(labels.data), labels.width, labels.height));
}

async function writeEncoded(path: string, image: Raster, format: (pipeline: Sharp) => Sharp): Promise<void> {
  const { width, height, channels, data } = image;
  if (width === 0 || height === 0) throw new ImageFileError(path, `cannot write an image with no pixels (${width}×${height})`);
  if (!(data instanceof Uint8Array || data instanceof Uint16Array)) {
    throw new ImageFileError(path, `images are written from 8- or 16-bit samples, got ${data.constructor.name}`);
  }
  if (channels < 1 || channels > 4) throw new ImageFileError(path, `cannot write ${channels} channels (1 to 4)`);
  const wide = data instanceof Uint16Array;
  let pipeline = sharp(data, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });
  pipeline = pipeline.toColourspace(channels <= 2 ? (wide ? 'grey16' : 'b-w') : wide ? 'rgb16' : 'srgb');
  let encoded: Buffer;
  try {
    encoded = await format(pipeline).toBuffer();
  } catch (error) {
    throw new ImageFileError(path, `cannot encode image (${messageOf(error)})`);
  }
  try {
    writeFileAtomic(path, (write) => write(encoded));
  } catch (error) {
    throw new ImageFileError(path, `cannot write file (${messageOf(error)})`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
