import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { importInstanceTypeMaps, readTypeClasses } from '../../src/data/import-instance-maps.js';
import { writeLabels, writePng } from '../../src/image/io.js';
import { createRaster } from '../../src/image/raster.js';
import { consepDir, consepSkipReason, pythonSkipReason, runPython } from '../support/env.js';
import { assertImported, assertImportFails, literally } from './import-helpers.js';

const skip = pythonSkipReason('scipy', 'numpy', 'PIL') || consepSkipReason();
let work = '';
let source = '';

// train_1 with a JSON object of per-nucleus types, train_2 with a 16-bit type map; ids 11 + 17·n.
before(() => {
  work = mkdtempSync(join(tmpdir(), 'histonuc-instance-import-'));
  if (skip) return;
  source = join(work, 'source');
  runPython('test/reference/data/make_import_sources.py', ['generic', consepDir, source, 'train_1', 'train_2']);
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

test('instance and type maps (JSON types or a type map) import to the expected labels, mapped by classes.json', { skip }, async () => {
  const report = await importInstanceTypeMaps(source, join(work, 'out'));
  await assertImported(report, join(source, 'expected'));
  assert.deepEqual(report.images.map((image) => image.typeSource), ['per-nucleus type lists', 'type map majority']);
  assert.deepEqual(report.types.map(({ code, className }) => [code, className]), [[10, 'tumor'], [20, 'lymphocyte'], [30, 'stroma'], [40, 'stroma']]);
  assert.equal(report.split, undefined);
  assert.ok(!existsSync(join(work, 'out', 'split.json')));
});

test('missing or bad classes, a missing type, an unmapped type and a missing instance map fail naming the file', { skip }, async () => {
  const out = join(work, 'failed');
  const copy = (name: string): string => {
    const dir = join(work, name);
    cpSync(source, dir, { recursive: true });
    return dir;
  };
  const noClasses = copy('no-classes');
  unlinkSync(join(noClasses, 'classes.json'));
  await assertImportFails(() => importInstanceTypeMaps(noClasses, out), out, /no classes\.json: it maps the type codes to classes/);
  writeFileSync(join(noClasses, 'classes.json'), '{"10": "tumour"}');
  await assertImportFails(() => importInstanceTypeMaps(noClasses, out), out, /classes\.json: type 10 maps to "tumour", not one of tumor, lymphocyte, stroma/);
  // Classes given as an option need no file; without code 40 some stroma nuclei are unmapped.
  await assertImportFails(
    () => importInstanceTypeMaps(noClasses, out, { classes: new Map([[10, 0], [20, 1], [30, 2]]) }), out,
    literally(join(noClasses, 'types', 'train_1.json')), /has type 40, which is not a known type/,
  );

  const missingType = copy('missing-type');
  const typesFile = join(missingType, 'types', 'train_1.json');
  writeFileSync(typesFile, '{"11": 10}');
  await assertImportFails(() => importInstanceTypeMaps(missingType, out), out, literally(`${typesFile}: no type for instance`));
  unlinkSync(join(missingType, 'instances', 'train_2.png'));
  await assertImportFails(() => importInstanceTypeMaps(missingType, out), out, literally(join(missingType, 'images', 'train_2.png')), /no instance map instances\/train_2\.png/);
});

test('more nuclei of one class than 16-bit ids allow is an error naming the image', async () => {
  const dir = join(work, 'crowded');
  for (const folder of ['images', 'instances', 'types']) mkdirSync(join(dir, folder), { recursive: true });
  const [width, height] = [150, 150]; // 22,500 one-pixel lymphocytes: the 21,846th would be id 65,536
  await writePng(join(dir, 'images', 'crowded.png'), createRaster(new Uint8Array(width * height * 3), width, height, 3));
  await writeLabels(join(dir, 'instances', 'crowded.png'), createRaster(Int32Array.from({ length: width * height }, (_, i) => i + 1), width, height));
  writeFileSync(join(dir, 'types', 'crowded.json'), JSON.stringify(Array.from({ length: width * height }, () => 2)));
  writeFileSync(join(dir, 'classes.json'), JSON.stringify({ 1: 'tumor', 2: 'lymphocyte' }));
  assert.deepEqual([...readTypeClasses(join(dir, 'classes.json'))], [[1, 0], [2, 1]]);
  const out = join(work, 'crowded-out');
  await assertImportFails(() => importInstanceTypeMaps(dir, out), out, /image .*crowded\.png has more lymphocyte nuclei than a 16-bit label image can number/);
});
