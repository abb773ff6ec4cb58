import assert from 'node:assert/strict';
import { copyFileSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { readRgb } from '../../src/image/io.js';
import { ModelView } from '../../src/slide/model-view.js';
import { detectSlideVendor, OpenSlide } from '../../src/slide/openslide.js';
import { ImageFileError } from '../../src/image/io.js';
import { isSlidePath, Slide } from '../../src/slide/slide-source.js';
import { writeTestSlide } from '../../src/slide/test-slides.js';
import { consepSkipReason } from '../support/env.js';
import { consepImage, withTempDir } from './fixtures.js';

const skip = consepSkipReason();
const sources = ['train_3', 'train_7'].map(consepImage);

test('OpenSlide reads a generated pyramidal TIFF: levels, resolution, exact pixels, white beyond the edge', { skip }, () =>
  withTempDir(async (dir) => {
    const made = await writeTestSlide({ path: join(dir, 'pair.tiff'), cells: sources, columns: 2, gutter: 16 });
    assert.equal(detectSlideVendor(made.path), 'generic-tiff');
    const reader = new OpenSlide(made.path);
    try {
      assert.deepEqual(reader.levels[0], { width: 2048, height: 1032, downsample: 1 });
      assert.ok(reader.levels.length >= 3, 'a pyramid');
      assert.equal(reader.properties['tiff.ResolutionUnit'], 'centimeter');
      const source = await readRgb(sources[1]);
      const { x, y } = made.placements[1];
      const region = reader.readRegion(0, x + 100, y + 200, 50, 40);
      for (let row = 0; row < 40; row++) {
        const from = ((200 + row) * 1000 + 100) * 3;
        assert.deepEqual(region.data.subarray(row * 150, row * 150 + 150), source.data.subarray(from, from + 150), `row ${row}`);
      }
      const outside = reader.readRegion(0, 2040, 1020, 20, 20);
      assert.ok(outside.data.every((v) => v === 255));
    } finally {
      reader.close();
    }
    assert.throws(() => reader.readRegion(0, 0, 0, 1, 1), /pair\.tiff: the slide was closed/);
  }),
);

test('slides state their scale in µm per pixel, or the user gives it; unreadable files say so', { skip }, () =>
  withTempDir(async (dir) => {
    const stated = await writeTestSlide({ path: join(dir, 'stated.tiff'), cells: sources, columns: 2 });
    const slide = await Slide.open(stated.path);
    assert.equal(slide.mpp, 0.25);
    assert.equal(slide.mppSource, 'tiff-resolution');
    slide.close();

    const unstated = await writeTestSlide({ path: join(dir, 'unstated.tiff'), cells: sources, columns: 2, statesMpp: false });
    await assert.rejects(Slide.open(unstated.path), (error: Error) => error instanceof ImageFileError && /unstated\.tiff: .*pixel size; give it with --mpp/.test(error.message));
    const given = await Slide.open(unstated.path, { mpp: 0.5 });
    assert.equal(given.mpp, 0.5);
    assert.equal(given.mppSource, 'user');
    given.close();

    writeFileSync(join(dir, 'garbage.svs'), Buffer.from('not a slide at all'.repeat(100)));
    await assert.rejects(Slide.open(join(dir, 'garbage.svs')), /garbage\.svs: not a slide or image histonuc can read/);
    await assert.rejects(Slide.open(join(dir, 'missing.svs')), /missing\.svs: cannot open/);
    // A pyramid cut short: OpenSlide may open it, but reading the lost tiles fails, naming the file.
    const truncated = join(dir, 'truncated.tiff');
    copyFileSync(stated.path, truncated);
    truncateSync(truncated, Math.floor(statSync(truncated).size / 3));
    await assert.rejects(
      (async () => {
        const cut = await Slide.open(truncated);
        try {
          cut.readRegion(0, 0, 0, cut.width, cut.height);
        } finally {
          cut.close();
        }
      })(),
      /truncated\.tiff: /,
    );
  }),
);

test('plain images are rewritten as tiled TIFF, keeping pixels and the resolution they state', { skip }, () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'plain.png');
    await sharp(sources[0]).withMetadata({ density: 25400 / 0.25 }).png().toFile(path);
    const slide = await Slide.open(path);
    try {
      assert.equal(slide.mpp, 0.25);
      const region = slide.readRegion(0, 0, 0, 1000, 1000);
      assert.deepEqual(region.data, (await readRgb(sources[0])).data);
    } finally {
      slide.close();
    }
    assert.equal(await isSlidePath(path), false, 'a 1-megapixel image is processed whole');
    const pyramid = await writeTestSlide({ path: join(dir, 'pyramid.tiff'), cells: sources, columns: 2 });
    assert.equal(await isSlidePath(pyramid.path), true);
  }),
);

test('the model view reads the level of the model scale and resamples other scales to it', { skip }, () =>
  withTempDir(async (dir) => {
    const source = await readRgb(sources[0]);
    const difference = (view: ModelView, x: number, y: number): number => {
      const region = view.read({ x, y, width: 1000, height: 1000 });
      let sum = 0;
      for (let i = 0; i < region.data.length; i++) sum += Math.abs(region.data[i] - source.data[i]);
      return sum / region.data.length;
    };
    const at40x = await writeTestSlide({ path: join(dir, '40x.tiff'), cells: [sources[0]], columns: 1, gutter: 8 });
    const exact = new ModelView(await Slide.open(at40x.path), 0.25);
    assert.deepEqual([exact.level, exact.levelPerView, exact.slidePerView, exact.width], [0, 1, 1, 1016]);
    assert.equal(difference(exact, 8, 8), 0);

    // A "20×" copy (0.5 µm/px) is upsampled; an "80×" one (0.125 µm/px) is read from its level 1.
    const at20x = await writeTestSlide({ path: join(dir, '20x.tiff'), cells: [sources[0]], columns: 1, gutter: 8, scale: 0.5 });
    const upsampled = new ModelView(await Slide.open(at20x.path), 0.25);
    assert.deepEqual([upsampled.level, upsampled.levelPerView, upsampled.slidePerView, upsampled.mpp], [0, 0.5, 0.5, 0.25]);
    assert.ok(difference(upsampled, 8, 8) < 12, `20× copy differs by ${difference(upsampled, 8, 8)} grey levels on average`);
    const at80x = await writeTestSlide({ path: join(dir, '80x.tiff'), cells: [sources[0]], columns: 1, gutter: 8, scale: 2 });
    const fromLevel1 = new ModelView(await Slide.open(at80x.path), 0.25);
    assert.deepEqual([fromLevel1.level, fromLevel1.levelPerView, fromLevel1.slidePerView], [1, 1, 2]);
    assert.ok(difference(fromLevel1, 8, 8) < 8, `80× copy differs by ${difference(fromLevel1, 8, 8)} grey levels on average`);
    for (const view of [exact, upsampled, fromLevel1]) view.slide.close();
  }),
);
