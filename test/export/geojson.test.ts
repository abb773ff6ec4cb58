import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Ring } from '../../src/export/contour.js';
import { nucleusFeature, openGeoJsonWriter } from '../../src/export/geojson.js';
import { measureNuclei, type ClassProbabilities, type NucleusRecord } from '../../src/export/measure.js';
import { readRgb } from '../../src/image/io.js';
import { createRaster, type LabelMap } from '../../src/image/raster.js';
import { consepDir, consepSkipReason } from '../support/env.js';
import { consepLabels, consepNames } from '../image/golden.js';
import { ringProblems } from './geometry-check.js';
import { readWithGdal, regionReference, skipGdal, skipSkimage } from './reference.js';
import { scatteredLabels, syntheticLabels } from './shapes.js';

interface Feature {
  type: string;
  id: number;
  geometry: { type: string; coordinates: Ring[] | Ring[][] };
  properties: { objectType: string; classification: { name: string; color: number[] }; measurements: Record<string, number> };
}

function recordsOf(labels: LabelMap): NucleusRecord[] {
  const image = createRaster(new Uint8Array(labels.width * labels.height * 3).fill(200), labels.width, labels.height, 3);
  const probabilities = new Map<number, ClassProbabilities>();
  for (let id = 1; id < 1000; id++) probabilities.set(id, [0.5, 0.3, 0.2]);
  return measureNuclei({ labels, image, probabilities });
}

function withDir(body: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-geojson-'));
  return Promise.resolve(body(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function writeGeoJson(path: string, records: NucleusRecord[], chunk = records.length): void {
  const writer = openGeoJsonWriter(path, { mpp: 0.25 });
  for (let k = 0; k < records.length; k += Math.max(chunk, 1)) writer.add(records.slice(k, k + chunk));
  writer.finish();
}

/** RFC 7946 structure, checked strictly: what a GeoJSON reader may rely on. */
function assertFeatureCollection(text: string): Feature[] {
  const collection = JSON.parse(text) as { type: string; features: Feature[] };
  assert.deepEqual(Object.keys(collection), ['type', 'features']);
  assert.equal(collection.type, 'FeatureCollection');
  for (const feature of collection.features) {
    assert.deepEqual(Object.keys(feature), ['type', 'id', 'geometry', 'properties']);
    assert.equal(feature.type, 'Feature');
    const { type, coordinates } = feature.geometry;
    const polygons = type === 'Polygon' ? [coordinates as Ring[]] : type === 'MultiPolygon' ? (coordinates as Ring[][]) : assert.fail(`geometry ${type}`);
    for (const rings of polygons) {
      assert.equal(rings.length, 1, 'outer ring only');
      assert.deepEqual(ringProblems(rings[0]), [], `feature ${feature.id}`);
      for (const position of rings[0]) assert.ok(position.length === 2 && position.every(Number.isInteger));
    }
  }
  return collection.features;
}

test('each nucleus is a QuPath detection with classification name, colour and measurements', () => {
  const records = recordsOf(syntheticLabels());
  const byId = new Map(records.map((r) => [r.id, nucleusFeature(r, { mpp: 0.5 }) as Feature]));
  const tumor = byId.get(9) as Feature;
  assert.equal(tumor.type, 'Feature');
  assert.equal(tumor.id, 9);
  assert.equal(tumor.geometry.type, 'Polygon');
  assert.equal(tumor.properties.objectType, 'detection');
  assert.deepEqual(tumor.properties.classification, { name: 'Tumor', color: [255, 0, 0] });
  assert.deepEqual((byId.get(10) as Feature).properties.classification, { name: 'Lymphocyte', color: [0, 255, 0] });
  assert.deepEqual((byId.get(8) as Feature).properties.classification, { name: 'Stroma', color: [0, 0, 255] });
  const m = tumor.properties.measurements;
  assert.equal(m['Nucleus ID'], 9);
  assert.equal(m['Class probability'], 0.5);
  assert.deepEqual([m['Probability: Tumor'], m['Probability: Lymphocyte'], m['Probability: Stroma']], [0.5, 0.3, 0.2]);
  assert.equal(m['Area px^2'], 113);
  assert.equal(m['Area µm^2'], 113 * 0.25);
  assert.ok(['Perimeter px', 'Eccentricity', 'Solidity', 'Haematoxylin mean', 'Eosin mean'].every((name) => Number.isFinite(m[name])));
  // Pieces that meet only at corners, or not at all, make a MultiPolygon.
  assert.equal((byId.get(5) as Feature).geometry.type, 'MultiPolygon');
  assert.equal((byId.get(8) as Feature).geometry.coordinates.length, 2);
  // Without probabilities there are no probability measurements.
  const bare = nucleusFeature({ ...records[0], probabilities: null }) as Feature;
  assert.equal(bare.properties.measurements['Class probability'], undefined);
  assert.equal(bare.properties.measurements['Area µm^2'], undefined);
});

test('the streaming writer gives the same file however records are split, and a valid empty collection', () =>
  withDir((dir) => {
    const records = recordsOf(scatteredLabels());
    writeGeoJson(join(dir, 'whole.geojson'), records);
    writeGeoJson(join(dir, 'tiles.geojson'), records, 4);
    const whole = readFileSync(join(dir, 'whole.geojson'), 'utf8');
    assert.equal(readFileSync(join(dir, 'tiles.geojson'), 'utf8'), whole);
    assert.equal(assertFeatureCollection(whole).length, records.length);
    writeGeoJson(join(dir, 'empty.geojson'), []);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'empty.geojson'), 'utf8')), { type: 'FeatureCollection', features: [] });
    assert.deepEqual(readdirSync(dir).sort(), ['empty.geojson', 'tiles.geojson', 'whole.geojson']);
  }));

test('an aborted or failing writer leaves no file behind and keeps the previous one', () =>
  withDir((dir) => {
    const records = recordsOf(syntheticLabels());
    const aborted = openGeoJsonWriter(join(dir, 'aborted.geojson'));
    aborted.add(records);
    aborted.abort();
    const path = join(dir, 'kept.geojson');
    writeFileSync(path, 'previous');
    const writer = openGeoJsonWriter(path);
    writer.add(records.slice(0, 3));
    assert.throws(() => writer.add([{ ...records[3], perimeter: Number.NaN }]), /perimeter_px is NaN/);
    assert.throws(() => writer.finish(), /already committed or discarded/);
    assert.equal(readFileSync(path, 'utf8'), 'previous');
    assert.deepEqual(readdirSync(dir), ['kept.geojson']);
    assert.equal(existsSync(join(dir, 'aborted.geojson')), false);
  }));

test('GDAL/OGR reads the GeoJSON and GEOS finds every geometry valid, with the filled nucleus area', { skip: skipGdal || skipSkimage }, () =>
  withDir((dir) => {
    for (const [what, labels] of [['synthetic', syntheticLabels()], ['scattered', scatteredLabels()]] as [string, LabelMap][]) {
      const records = recordsOf(labels);
      const path = join(dir, `${what}.geojson`);
      writeGeoJson(path, records);
      const report = readWithGdal(path);
      assert.equal(report.driver, 'GeoJSON');
      assert.equal(report.count, records.length);
      const filledArea = new Map(regionReference(labels).regions.map((r) => [r.label, r.filled_area]));
      for (const feature of report.features) {
        assert.ok(feature.valid && feature.simple, `${what} nucleus ${feature.fid}: GEOS says invalid`);
        assert.ok(feature.rings.every((ring) => ring.closed && ring.signed_area > 0), `${what} nucleus ${feature.fid}: ring`);
        assert.equal(feature.area, filledArea.get(feature.fid), `${what} nucleus ${feature.fid}: area`);
        assert.equal(feature.properties.objectType, 'detection');
        const classification = JSON.parse(feature.properties.classification as string) as { name: string; color: number[] };
        assert.equal(classification.name, ['Tumor', 'Lymphocyte', 'Stroma'][feature.fid % 3]);
        assert.equal((JSON.parse(feature.properties.measurements as string) as Record<string, number>)['Nucleus ID'], feature.fid);
      }
    }
  }));

test('GDAL/OGR and GEOS accept the GeoJSON of a real CoNSeP image', { skip: skipGdal || consepSkipReason() }, async () =>
  withDir(async (dir) => {
    const name = consepNames()[0];
    const labels = await consepLabels(name);
    const records = measureNuclei({ labels, image: await readRgb(`${consepDir}/images/${name}.png`) });
    const path = join(dir, `${name}.geojson`);
    writeGeoJson(path, records);
    assertFeatureCollection(readFileSync(path, 'utf8'));
    const report = readWithGdal(path);
    assert.equal(report.count, records.length);
    const invalid = report.features.filter((f) => !f.valid || !f.simple).map((f) => f.fid);
    assert.deepEqual(invalid, []);
  }));
