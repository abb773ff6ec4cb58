// The slide path against whole-image processing, with the same model (the stand-in finder, which
// finds the painted ground-truth nuclei of CoNSeP images): a mosaic of source images on glass is
// processed in tiles much smaller than the sources, so hundreds of nuclei lie across tile borders;
// each source image is processed whole. Nuclei are matched one to one by centroid (≤ 2 px) and area
// (the smaller at least half the larger, i.e. IoU ≥ 0.5 for nested shapes): object-level F1 ≥ 0.995,
// no nucleus reported twice, none cut by a tile border. Nuclei on a source image's own edge may grow
// by a pixel row in the slide, where the final dilation can reach into the glass beyond the edge.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { measureNuclei } from '../../src/export/measure.js';
import { readRgb } from '../../src/image/io.js';
import { predictSlide } from '../../src/slide/slide-predict.js';
import { StandInFinder } from '../../src/slide/stand-in-finder.js';
import { writeTestSlide, type TestSlide } from '../../src/slide/test-slides.js';
import { consepSkipReason } from '../support/env.js';
import { csvNuclei, paintedConsep, STAND_IN_WINDOW, withTempDir, type CsvNucleus } from './fixtures.js';

const TILE = 512;
const MARGIN = 96;

interface Comparison {
  wholeCount: number;
  slideCount: number;
  matched: number;
  /** Matched pairs with identical centroid and area. */
  identical: number;
  f1: number;
  /** Slide nuclei with another slide nucleus's centroid within 2 px. */
  duplicated: number;
  /** Unmatched slide nuclei that cross a tile border, or matched ones smaller than their whole-image twin. */
  cut: number;
}

async function compare(made: TestSlide, slideNuclei: readonly CsvNucleus[], finder: StandInFinder, scale: number): Promise<Comparison> {
  const whole: CsvNucleus[] = [];
  for (const placement of made.placements) {
    const image = await readRgb(placement.image);
    const nuclei = finder.predict(image);
    for (const record of measureNuclei({ labels: nuclei.labels, image })) {
      const at = (c: number, origin: number): number => origin + scale * (c + 0.5) - 0.5;
      whole.push({ id: record.id, x: at(record.centroid.x, placement.x), y: at(record.centroid.y, placement.y), area: record.area });
    }
  }
  const cell = 4;
  const grid = new Map<string, number[]>();
  const key = (x: number, y: number): string => `${Math.floor(x / cell)},${Math.floor(y / cell)}`;
  slideNuclei.forEach((n, k) => grid.set(key(n.x, n.y), [...(grid.get(key(n.x, n.y)) ?? []), k]));
  const near = (x: number, y: number, radius: number): number[] => {
    const found: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const k of grid.get(key(x + dx * cell, y + dy * cell)) ?? []) if (Math.hypot(slideNuclei[k].x - x, slideNuclei[k].y - y) <= radius) found.push(k);
      }
    }
    return [...new Set(found)];
  };
  const taken = new Uint8Array(slideNuclei.length);
  let matched = 0;
  let identical = 0;
  let cut = 0;
  for (const w of whole) {
    const candidates = near(w.x, w.y, 2).filter((k) => !taken[k] && Math.min(slideNuclei[k].area, w.area) >= Math.max(slideNuclei[k].area, w.area) / 2);
    if (candidates.length === 0) continue;
    const k = candidates.sort((a, b) => Math.hypot(slideNuclei[a].x - w.x, slideNuclei[a].y - w.y) - Math.hypot(slideNuclei[b].x - w.x, slideNuclei[b].y - w.y))[0];
    taken[k] = 1;
    matched++;
    if (Math.abs(slideNuclei[k].x - w.x) < 1e-6 && Math.abs(slideNuclei[k].y - w.y) < 1e-6 && slideNuclei[k].area === w.area) identical++;
    if (slideNuclei[k].area < w.area) cut++;
  }
  const period = TILE * scale;
  const nearBorder = (c: number): boolean => Math.min((c + 0.5) % period, period - ((c + 0.5) % period)) < MARGIN * scale;
  const onTileBorder = (n: CsvNucleus): boolean => nearBorder(n.x) || nearBorder(n.y);
  cut += slideNuclei.filter((n, k) => !taken[k] && onTileBorder(n)).length;
  const duplicated = slideNuclei.filter((n) => near(n.x, n.y, 2).length > 1).length;
  return { wholeCount: whole.length, slideCount: slideNuclei.length, matched, identical, f1: (2 * matched) / (whole.length + slideNuclei.length), duplicated, cut };
}

test('seams: a mosaic processed tile by tile finds the nuclei of its source images processed whole', { skip: consepSkipReason() }, () =>
  withTempDir(async (dir) => {
    const sources = await paintedConsep(['train_1', 'train_2', 'train_18', 'train_4'], dir);
    const made = await writeTestSlide({ path: join(dir, 'mosaic.tiff'), cells: sources, columns: 2, gutter: 40 });
    const finder = new StandInFinder(0.25, STAND_IN_WINDOW);
    const { paths, summary } = await predictSlide({ slide: made.path, outDir: join(dir, 'out'), finder, tileSize: TILE, margin: MARGIN, overlay: false });
    const result = await compare(made, csvNuclei(paths.csv), finder, 1);
    console.log(`seams (${TILE} px tiles, ${MARGIN} px margins): ${JSON.stringify(result)}`);
    assert.ok(result.f1 >= 0.995, `object F1 ${result.f1}`);
    assert.equal(result.duplicated, 0, 'no nucleus reported twice');
    assert.equal(result.cut, 0, 'no nucleus cut by a tile border');
    assert.equal(summary.slide.cutNuclei, 0);
    assert.equal(result.slideCount, result.wholeCount);
    // Only nuclei touching a source image's own edge may differ.
    assert.ok(result.identical >= result.wholeCount - 150, `${result.identical} of ${result.wholeCount} identical`);
  }),
);

test('seams at another scale: a "20×" copy is upsampled to the model scale and its nuclei come out in slide pixels', { skip: consepSkipReason() }, () =>
  withTempDir(async (dir) => {
    const sources = await paintedConsep(['train_18', 'train_6'], dir);
    const made = await writeTestSlide({ path: join(dir, 'mosaic20x.tiff'), cells: sources, columns: 2, gutter: 40, scale: 0.5 });
    const finder = new StandInFinder(0.25, STAND_IN_WINDOW);
    const { paths, summary } = await predictSlide({ slide: made.path, outDir: join(dir, 'out'), finder, tileSize: TILE, margin: MARGIN, overlay: false });
    assert.equal(summary.slide.viewMicronsPerPixel, 0.25);
    assert.equal(summary.slide.micronsPerPixel, 0.5);
    // Resampling the painted colours blurs nucleus boundaries, so this checks geometry, not identity.
    const result = await compare(made, csvNuclei(paths.csv), finder, 0.5);
    console.log(`seams at 0.5 µm/px: ${JSON.stringify(result)}`);
    assert.ok(result.f1 >= 0.8, `object F1 ${result.f1} at half scale`);
    assert.equal(result.duplicated, 0);
  }),
);
