import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { readImage, readLabels, readRgb, writeLabels, writePng, writeTiff } from '../../src/image/io.js';
import { createRaster } from '../../src/image/raster.js';
import { consepDir, consepSkipReason } from '../support/env.js';
import { consepLabels } from './golden.js';

const dir = mkdtempSync(join(tmpdir(), 'histonuc-io-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('PNG and TIFF round trips keep every sample (8-bit grey, RGB, RGBA; 16-bit grey and RGB)', async () => {
  const rasters = [
    createRaster(Uint8Array.from({ length: 35 }, (_, i) => i * 7), 7, 5, 1),
    createRaster(Uint8Array.from({ length: 105 }, (_, i) => (i * 31) % 256), 7, 5, 3),
    createRaster(Uint8Array.from({ length: 140 }, (_, i) => (i * 13) % 256), 7, 5, 4),
    createRaster(Uint16Array.from({ length: 35 }, (_, i) => i * 1871), 7, 5, 1),
    createRaster(Uint16Array.from({ length: 105 }, (_, i) => i * 601), 7, 5, 3),
  ];
  for (const [k, raster] of rasters.entries()) {
    for (const [extension, write] of [['png', writePng], ['tif', writeTiff]] as const) {
      const path = join(dir, `round-${k}.${extension}`);
      await write(path, raster);
      const back = await readImage(path);
      assert.deepEqual([back.width, back.height, back.channels, back.data.constructor], [7, 5, raster.channels, raster.data.constructor], path);
      assert.deepEqual([...back.data], [...raster.data], path);
    }
  }
  assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), [], 'no temporary files left');
});

test('label maps round-trip through 16-bit PNG and TIFF; RGB reading expands grey and drops alpha', async () => {
  const labels = createRaster(Int32Array.from([0, 3, 65535, 400, 0, 7]), 3, 2);
  for (const name of ['labels.png', 'labels.tiff']) {
    await writeLabels(join(dir, name), labels);
    assert.deepEqual([...(await readLabels(join(dir, name))).data], [...labels.data]);
  }
  await assert.rejects(writeLabels(join(dir, 'big.png'), createRaster(Int32Array.from([70000]), 1, 1)), /big\.png: label id 70000 does not fit/);
  await assert.rejects(writeLabels(join(dir, 'labels.jpg'), labels), /\.png or \.tif/);

  await writePng(join(dir, 'grey.png'), createRaster(Uint8Array.from([10, 20]), 2, 1));
  assert.deepEqual([...(await readRgb(join(dir, 'grey.png'))).data], [10, 10, 10, 20, 20, 20]);
  await writePng(join(dir, 'rgba.png'), createRaster(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, 1, 4));
  assert.deepEqual([...(await readRgb(join(dir, 'rgba.png'))).data], [1, 2, 3, 5, 6, 7]);
  const jpeg = join(dir, 'flat.jpg');
  writeFileSync(jpeg, await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 100, b: 50 } } }).jpeg({ quality: 100 }).toBuffer());
  const decoded = await readRgb(jpeg);
  assert.equal(decoded.channels, 3);
  assert.ok(Math.abs(decoded.data[0] - 200) <= 2 && Math.abs(decoded.data[2] - 50) <= 2);
});

test('CoNSeP images and 16-bit labels are read', { skip: consepSkipReason() }, async () => {
  const image = await readRgb(join(consepDir, 'images', 'train_1.png'));
  assert.deepEqual([image.width, image.height, image.channels], [1000, 1000, 3]);
  const labels = await readLabels(join(consepDir, 'labels', 'train_1_label.png'));
  assert.deepEqual([...labels.data], [...(await consepLabels('train_1')).data]);
});

/** A minimal uncompressed little-endian TIFF with one 32-bit unsigned grey sample per pixel. */
function tiff32(width: number, height: number, values: number[]): Buffer {
  const entries: [number, number, number][] = [
    [256, 4, width], [257, 4, height], [258, 3, 32], [259, 3, 1], [262, 3, 1],
    [273, 4, 0], [277, 3, 1], [278, 4, height], [279, 4, 4 * width * height], [339, 3, 1],
  ];
  const ifdSize = 2 + 12 * entries.length + 4;
  const dataOffset = 8 + ifdSize;
  const buffer = Buffer.alloc(dataOffset + 4 * values.length);
  buffer.write('II', 0, 'latin1');
  buffer.writeUInt16LE(42, 2);
  buffer.writeUInt32LE(8, 4);
  buffer.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], k) => {
    const at = 10 + 12 * k;
    buffer.writeUInt16LE(tag, at);
    buffer.writeUInt16LE(type, at + 2);
    buffer.writeUInt32LE(1, at + 4);
    buffer.writeUInt32LE(tag === 273 ? dataOffset : value, at + 8);
  });
  values.forEach((v, k) => buffer.writeUInt32LE(v, dataOffset + 4 * k));
  return buffer;
}

test('broken and unsupported files give errors naming the file and the problem', async () => {
  const good = join(dir, 'good.png');
  await writePng(good, createRaster(Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 256), 64, 64, 3));
  const truncated = join(dir, 'truncated.png');
  const bytes = readFileSync(good);
  writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(readImage(truncated), /truncated\.png: (cannot read image|corrupt or truncated image data)/);

  const empty = join(dir, 'empty.png');
  writeFileSync(empty, '');
  await assert.rejects(readImage(empty), /empty\.png: cannot read image \(the file is empty\)/);
  await assert.rejects(writePng(join(dir, 'zero.png'), createRaster(new Uint8Array(0), 0, 4)), /zero\.png: cannot write an image with no pixels \(0×4\)/);

  await assert.rejects(readLabels(good), /good\.png: a label map must be a single-channel \(grey\) image, this one has 3 channels/);
  const wide = join(dir, 'labels32.tif');
  writeFileSync(wide, tiff32(3, 2, [0, 1, 70000, 5, 6, 7]));
  await assert.rejects(readLabels(wide), /labels32\.tif: unsupported 32-bit uint samples/);

  const text = join(dir, 'notes.png');
  writeFileSync(text, 'not an image at all');
  await assert.rejects(readImage(text), /notes\.png: cannot read image/);
  await assert.rejects(readImage(join(dir, 'missing.png')), /missing\.png: cannot read image/);
  await assert.rejects(writePng(join(dir, 'float.png'), createRaster(new Float32Array(4), 2, 2)), /float\.png: images are written from 8- or 16-bit samples, got Float32Array/);
});
