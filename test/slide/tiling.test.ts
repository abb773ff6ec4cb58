import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRaster } from '../../src/image/raster.js';
import { ownedNuclei } from '../../src/slide/stitching.js';
import { Slide } from '../../src/slide/slide-source.js';
import { writeTestSlide } from '../../src/slide/test-slides.js';
import { planSlideTiles } from '../../src/slide/tile-grid.js';
import { detectTissue, hasTissue, otsuThreshold, tissueArea } from '../../src/slide/tissue.js';
import { consepSkipReason } from '../support/env.js';
import { consepImage, withTempDir } from './fixtures.js';

test('inner areas partition the region; read areas add the margin within the view', () => {
  const region = { x: 30, y: 10, width: 1000, height: 700 };
  const tiles = planSlideTiles({ width: 1100, height: 800, region, size: 256, margin: 40 });
  assert.equal(tiles.length, 4 * 3);
  const covered = new Uint8Array(1100 * 800);
  for (const { inner, read, index } of tiles) {
    assert.equal(tiles[index].inner, inner);
    for (let y = inner.y; y < inner.y + inner.height; y++) for (let x = inner.x; x < inner.x + inner.width; x++) covered[y * 1100 + x]++;
    assert.equal(read.x, Math.max(0, inner.x - 40));
    assert.equal(read.y, Math.max(0, inner.y - 40));
    assert.equal(read.x + read.width, Math.min(1100, inner.x + inner.width + 40));
    assert.equal(read.y + read.height, Math.min(800, inner.y + inner.height + 40));
  }
  for (let y = 0; y < 800; y++) {
    for (let x = 0; x < 1100; x++) {
      const inside = x >= 30 && x < 1030 && y >= 10 && y < 710;
      assert.equal(covered[y * 1100 + x], inside ? 1 : 0, `pixel ${x},${y}`);
    }
  }
});

test('a nucleus is owned by the one tile whose inner area holds its centroid; a margin too narrow is reported', () => {
  // A 6×6 nucleus (id 3) with its centroid at x = 100 (corner coordinates), on the line between two tiles.
  const width = 200;
  const height = 60;
  const labels = createRaster(new Int32Array(width * height), width, height);
  for (let y = 20; y < 26; y++) for (let x = 97; x < 103; x++) labels.data[y * width + x] = 3;
  const nuclei = { labels, classProbabilities: new Map([[3, [0.9, 0.05, 0.05] as [number, number, number]]]) };
  const read = { x: 0, y: 0, width, height };
  const left = ownedNuclei(nuclei, { index: 0, inner: { x: 0, y: 0, width: 100, height: 60 }, read }, width, height);
  const right = ownedNuclei(nuclei, { index: 1, inner: { x: 100, y: 0, width: 100, height: 60 }, read }, width, height);
  assert.equal(left.labels.data.filter((id) => id === 3).length, 0);
  assert.equal(right.labels.data.filter((id) => id === 3).length, 36);
  assert.deepEqual([...right.classProbabilities.keys()], [3]);
  assert.equal(right.cut, 0);
  // Read with a 3-pixel margin only, the nucleus reaches the edge of what the tile saw.
  const narrow = { x: 97, y: 0, width: 10, height: 60 };
  const cropped = createRaster(new Int32Array(10 * 60), 10, 60);
  for (let y = 0; y < 60; y++) for (let x = 0; x < 10; x++) cropped.data[y * 10 + x] = labels.data[y * width + 97 + x];
  const seen = ownedNuclei({ labels: cropped, classProbabilities: nuclei.classProbabilities }, { index: 1, inner: { x: 100, y: 0, width: 4, height: 60 }, read: narrow }, width, height);
  assert.equal(seen.cut, 1);
});

test('Otsu splits two populations', () => {
  const values = Float32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0.02 + (i % 10) * 0.002 : 0.3 + (i % 10) * 0.01));
  const threshold = otsuThreshold(values);
  assert.ok(threshold > 0.038 && threshold <= 0.3, `threshold ${threshold}`);
});

test('tissue detection finds the tissue of a mostly-background slide and skips the glass', { skip: consepSkipReason() }, () =>
  withTempDir(async (dir) => {
    // 4×4 cells of 1000 px, tissue in two of them.
    const cells = Array.from({ length: 16 }, (_, k) => (k === 5 ? consepImage('train_1') : k === 14 ? consepImage('train_11') : null));
    const made = await writeTestSlide({ path: join(dir, 'sparse.tiff'), cells, columns: 4 });
    const slide = await Slide.open(made.path);
    try {
      const tissue = detectTissue(slide);
      const tiles = planSlideTiles({ width: slide.width, height: slide.height, region: { x: 0, y: 0, width: slide.width, height: slide.height }, size: 500, margin: 64 });
      const kept = tiles.filter((tile) => hasTissue(tissue, tile.inner)).map((tile) => tile.index);
      // Tiles of 500 px: cell k covers tiles (2·row .. 2·row+1) × (2·col .. 2·col+1) of the 8×8 grid.
      const expected = [5, 14].flatMap((k) => {
        const [row, col] = [Math.floor(k / 4), k % 4];
        return [0, 1].flatMap((dy) => [0, 1].map((dx) => (2 * row + dy) * 8 + 2 * col + dx));
      });
      const missing = expected.filter((index) => !kept.includes(index));
      assert.deepEqual(missing, [], 'every tile of tissue is kept');
      // The mask is grown by one cell (8 µm), which may add the tiles next to the tissue, but no others.
      const nearTissue = (index: number): boolean =>
        expected.some((e) => Math.abs(Math.floor(e / 8) - Math.floor(index / 8)) <= 1 && Math.abs((e % 8) - (index % 8)) <= 1);
      assert.deepEqual(kept.filter((index) => !nearTissue(index)), [], 'tiles away from the tissue are skipped');
      assert.ok(kept.length < tiles.length / 2, `${kept.length} of ${tiles.length} tiles kept`);
      const area = tissueArea(tissue, { x: 0, y: 0, width: slide.width, height: slide.height });
      assert.ok(area > 1.6e6 && area < 2.6e6, `tissue area ${area} px for two 1-megapixel images`);
    } finally {
      slide.close();
    }
  }),
);
