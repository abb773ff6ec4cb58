import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { drawOverlay } from '../../src/export/overlay.js';
import { writeNucleusOutputs, type NucleusOutputsInput } from '../../src/export/outputs.js';
import { SummaryCounter } from '../../src/export/summary.js';
import type { ClassProbabilities, NucleusRecord } from '../../src/export/measure.js';
import { readImage, readLabels } from '../../src/image/io.js';
import { createRaster, type LabelMap, type Raster } from '../../src/image/raster.js';
import { syntheticLabels } from './shapes.js';

function greyImage(labels: LabelMap, value = 100): Raster<Uint8Array> {
  return createRaster(new Uint8Array(labels.width * labels.height * 3).fill(value), labels.width, labels.height, 3);
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-outputs-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trimEnd().split('\n').map((line) => line.split(','));
  return rows.map((cells) => Object.fromEntries(header.map((column, k) => [column, cells[k]])));
}

test('writeNucleusOutputs writes the label images, overlay, GeoJSON, CSV and summary', () =>
  withDir(async (dir) => {
    const labels = syntheticLabels();
    const probabilities = new Map<number, ClassProbabilities>([[9, [0.8, 0.15, 0.05]]]);
    const { paths, records, summary } = await writeNucleusOutputs({ labels, image: greyImage(labels), probabilities, mpp: 0.25, outDir: join(dir, 'out'), name: 'tile' });
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['tile.geojson', 'tile_label.png', 'tile_label.tiff', 'tile_nuclei.csv', 'tile_overlay.png', 'tile_summary.json']);
    for (const format of ['labels-png', 'labels-tiff'] as const) {
      const image = await readImage(paths[format] as string);
      assert.ok(image.data instanceof Uint16Array, `${format} is 16-bit`);
      assert.deepEqual([...(await readLabels(paths[format] as string)).data], [...labels.data]);
    }
    const overlay = await readImage(paths.overlay as string);
    assert.deepEqual([overlay.width, overlay.height, overlay.channels], [labels.width, labels.height, 3]);

    const rows = parseCsv(readFileSync(paths.csv as string, 'utf8'));
    assert.equal(rows.length, records.length);
    const row = rows.find((r) => r.id === '9') as Record<string, string>;
    assert.equal(row.class, 'tumor');
    assert.equal(row.probability, '0.8');
    assert.equal(row.probability_stroma, '0.05');
    assert.equal(row.area_px, '113');
    assert.equal(Number(row.area_um2), 113 * 0.0625);
    assert.equal(Number(row.centroid_x), 50);
    assert.equal(rows.find((r) => r.id === '10')?.probability, '');
    assert.deepEqual(Object.keys(row).slice(0, 2), ['id', 'class']);
    for (const column of ['perimeter_px', 'equivalent_diameter_px', 'eccentricity', 'solidity', 'mean_haematoxylin', 'mean_eosin']) assert.ok(Number.isFinite(Number(row[column])), column);

    const geojson = JSON.parse(readFileSync(paths.geojson as string, 'utf8')) as { features: unknown[] };
    assert.equal(geojson.features.length, records.length);
    assert.deepEqual(JSON.parse(readFileSync(paths.summary as string, 'utf8')), summary);
    assert.equal(summary.counts.total, records.length);
  }));

test('the summary counts nuclei per class, with densities per megapixel and per mm²', () => {
  const counter = new SummaryCounter();
  const records = ([0, 0, 1, 2, 2, 2] as const).map((nucleusClass) => ({ nucleusClass }) as NucleusRecord);
  counter.add(records.slice(0, 2));
  counter.add(records.slice(2));
  const summary = counter.summary(1000 * 1000, 0.5);
  assert.deepEqual(summary.counts, { total: 6, tumor: 2, lymphocyte: 1, stroma: 3 });
  assert.deepEqual(summary.fractions, { tumor: 2 / 6, lymphocyte: 1 / 6, stroma: 3 / 6 });
  assert.equal(summary.region.areaMm2, 0.25);
  assert.deepEqual(summary.densityPerMm2, { total: 24, tumor: 8, lymphocyte: 4, stroma: 12 });
  assert.deepEqual(summary.densityPerMegapixel, { total: 6, tumor: 2, lymphocyte: 1, stroma: 3 });
  const unknownSize = new SummaryCounter().summary(100);
  assert.equal(unknownSize.densityPerMm2, null);
  assert.deepEqual(unknownSize.fractions, { tumor: null, lymphocyte: null, stroma: null });
});

test('the overlay paints each nucleus outline in its class colour and leaves the rest of the image', () => {
  const labels = createRaster(Int32Array.from([
    0, 0, 0, 0, 0, 0,
    0, 3, 3, 3, 0, 0,
    0, 3, 3, 3, 4, 0,
    0, 3, 3, 3, 0, 5,
  ]), 6, 4);
  const overlay = drawOverlay(labels, greyImage(labels));
  const pixel = (x: number, y: number) => [...overlay.data.subarray(3 * (y * 6 + x), 3 * (y * 6 + x) + 3)];
  assert.deepEqual(pixel(1, 1), [255, 0, 0]);
  assert.deepEqual(pixel(2, 2), [100, 100, 100], 'interior pixel untouched');
  assert.deepEqual(pixel(4, 2), [0, 255, 0]);
  assert.deepEqual(pixel(5, 3), [0, 0, 255]);
  assert.deepEqual(pixel(0, 0), [100, 100, 100]);
});

test('inconsistent input fails before anything is written', () =>
  withDir(async (dir) => {
    const labels = syntheticLabels();
    const outDir = join(dir, 'out');
    const base: NucleusOutputsInput = { labels, image: greyImage(labels), outDir, name: 'tile' };
    const cases: [Partial<NucleusOutputsInput>, RegExp][] = [
      [{ image: createRaster(new Uint8Array(12), 2, 2, 3) }, /differ in size/],
      [{ probabilities: new Map([[9, [0.2, 1.4, 0] as const]]) }, /nucleus 9/],
      [{ labels: createRaster(Int32Array.from(labels.data, (v) => (v === 9 ? 70000 : v)), labels.width, labels.height) }, /16-bit/],
      [{ mpp: -1 }, /pixel size/],
      [{ name: '../escape' }, /plain file name/],
    ];
    for (const [change, error] of cases) await assert.rejects(writeNucleusOutputs({ ...base, ...change }), error);
    assert.equal(existsSync(outDir), false);
  }));
