import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rgbToHed } from '../../src/export/hed.js';
import { measureNuclei, type NucleusRecord } from '../../src/export/measure.js';
import { readRgb } from '../../src/image/io.js';
import { createRaster, type LabelMap, type Raster } from '../../src/image/raster.js';
import { consepDir, consepSkipReason } from '../support/env.js';
import { assertArraysClose, consepLabels, consepNames, seededRandom } from '../image/golden.js';
import { regionReference, skipSkimage, type RegionReference } from './reference.js';
import { scatteredLabels, syntheticLabels } from './shapes.js';

const skipConsep = skipSkimage || consepSkipReason();

function randomImage(width: number, height: number, seed: number): Raster<Uint8Array> {
  const random = seededRandom(seed);
  return createRaster(Uint8Array.from({ length: width * height * 3 }, () => Math.floor(random() * 256)), width, height, 3);
}

function assertMatchesRegionprops(records: NucleusRecord[], regions: RegionReference[], what: string): void {
  assert.deepEqual(records.map((r) => r.id), regions.map((r) => r.label), `${what}: ids`);
  const compare = (pick: (r: NucleusRecord) => number, expect: (r: RegionReference) => number, tolerance: number, name: string) =>
    assertArraysClose(records.map(pick), regions.map(expect), tolerance, `${what}: ${name}`);
  compare((r) => r.area, (r) => r.area, 0, 'area');
  compare((r) => r.centroid.x, (r) => r.centroid[1], 1e-9, 'centroid x');
  compare((r) => r.centroid.y, (r) => r.centroid[0], 1e-9, 'centroid y');
  compare((r) => r.perimeter, (r) => r.perimeter, 1e-9, 'perimeter');
  compare((r) => r.equivalentDiameter, (r) => r.equivalent_diameter, 1e-12, 'equivalent diameter');
  // √(1 − λ₂/λ₁) amplifies rounding near-circular shapes: 1e-16 in the ratio is 1e-8 here.
  compare((r) => r.eccentricity, (r) => r.eccentricity, 1e-6, 'eccentricity');
  compare((r) => r.solidity, (r) => r.solidity, 1e-12, 'solidity');
  if (regions[0]?.mean_haematoxylin !== undefined) {
    compare((r) => r.meanHaematoxylin, (r) => r.mean_haematoxylin as number, 1e-9, 'mean haematoxylin');
    compare((r) => r.meanEosin, (r) => r.mean_eosin as number, 1e-9, 'mean eosin');
  }
}

test('morphometrics equal scikit-image regionprops on hand-made and random shapes', { skip: skipSkimage }, () => {
  for (const [what, labels] of [['synthetic', syntheticLabels()], ['scattered', scatteredLabels()]] as [string, LabelMap][]) {
    const image = randomImage(labels.width, labels.height, labels.width);
    const records = measureNuclei({ labels, image });
    assertMatchesRegionprops(records, regionReference(labels, image).regions, what);
  }
});

test('morphometrics and stain means equal scikit-image on real CoNSeP nuclei', { skip: skipConsep }, async () => {
  for (const name of consepNames().slice(0, 2)) {
    const labels = await consepLabels(name);
    const image = await readRgb(`${consepDir}/images/${name}.png`);
    const records = measureNuclei({ labels, image });
    const reference = regionReference(labels, image);
    assertMatchesRegionprops(records, reference.regions, name);
    assertArraysClose(rgbToHed(image).data, reference.hed as Float64Array, 1e-6, `${name}: rgb2hed`);
  }
});

test('rgbToHed equals skimage rgb2hed on every 8-bit grey level and random colours', { skip: skipSkimage }, () => {
  const image = randomImage(32, 16, 3);
  for (let v = 0; v < 256; v++) image.data.fill(v, 3 * v, 3 * v + 3);
  const labels = createRaster(new Int32Array(32 * 16).fill(1), 32, 16);
  assertArraysClose(rgbToHed(image).data, regionReference(labels, image).hed as Float64Array, 1e-12, 'rgb2hed');
});

test('stain means of an RGBA image are those of its RGB channels', () => {
  const labels = scatteredLabels();
  const rgb = randomImage(labels.width, labels.height, 5);
  const rgba = createRaster(new Uint8Array(4 * labels.width * labels.height), labels.width, labels.height, 4);
  for (let p = 0; p < labels.width * labels.height; p++) rgba.data.set([...rgb.data.subarray(3 * p, 3 * p + 3), 255 - (p % 7)], 4 * p);
  const stains = (image: typeof rgb): number[][] => measureNuclei({ labels, image }).map((r) => [r.meanHaematoxylin, r.meanEosin]);
  assert.deepEqual(stains(rgba), stains(rgb));
  assert.ok(stains(rgb).some(([h]) => h > 0), 'the random image has haematoxylin');
});

test('measureNuclei reads the class from the id and checks its input', () => {
  const labels = createRaster(Int32Array.from([0, 3, 4, 5, 5, 0]), 3, 2);
  const image = randomImage(3, 2, 1);
  const records = measureNuclei({ labels, image, probabilities: new Map([[3, [0.7, 0.2, 0.1] as const]]) });
  assert.deepEqual(records.map((r) => [r.id, r.nucleusClass, r.area]), [[3, 0, 1], [4, 1, 1], [5, 2, 2]]);
  assert.deepEqual(records[0].probabilities, [0.7, 0.2, 0.1]);
  assert.equal(records[1].probabilities, null);
  assert.throws(() => measureNuclei({ labels, image: randomImage(2, 3, 1) }), /differ in size/);
  assert.throws(() => measureNuclei({ labels, image: createRaster(new Uint8Array(6), 3, 2) }), /RGB/);
  assert.throws(() => measureNuclei({ labels, image, probabilities: new Map([[4, [0.5, Number.NaN, 0.5] as const]]) }), /nucleus 4/);
  assert.throws(() => measureNuclei({ labels: createRaster(Int32Array.from([0, -3, 4, 5, 5, 0]), 3, 2), image }), /non-negative/);
});
