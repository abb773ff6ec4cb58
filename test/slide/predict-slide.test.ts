import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OpenSlide } from '../../src/slide/openslide.js';
import { predictSlide, type SlideSummary } from '../../src/slide/slide-predict.js';
import { StandInFinder } from '../../src/slide/stand-in-finder.js';
import { writeTestSlide } from '../../src/slide/test-slides.js';
import { ModelView } from '../../src/slide/model-view.js';
import { Slide } from '../../src/slide/slide-source.js';
import { planSlideTiles } from '../../src/slide/tile-grid.js';
import { runWorkUnit, type WorkUnit } from '../../src/slide/work-unit.js';
import { consepSkipReason } from '../support/env.js';
import { csvNuclei, paintedConsep, withTempDir } from './fixtures.js';
import { RUN_SETTINGS } from './run-settings.js';

const skip = consepSkipReason();
const finder = (): StandInFinder => new StandInFinder(0.25, RUN_SETTINGS.window);

interface Feature {
  type: string;
  geometry: { type: string; coordinates: number[][][] | number[][][][] };
  properties: { objectType: string; classification: { name: string }; measurements: Record<string, number> };
}

test('a slide run writes GeoJSON, CSV, summary and an overlay that OpenSlide opens', { skip }, () =>
  withTempDir(async (dir) => {
    const sources = await paintedConsep(['train_13', 'train_20'], dir);
    const made = await writeTestSlide({ path: join(dir, 'pair.tiff'), cells: sources, columns: 2, gutter: 24 });
    const { paths, summary } = await predictSlide({ slide: made.path, outDir: join(dir, 'out'), finder: finder(), ...RUN_SETTINGS.slide });
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['pair.geojson', 'pair_nuclei.csv', 'pair_overlay.tiff', 'pair_summary.json'], 'the run state is removed');

    const collection = JSON.parse(readFileSync(paths.geojson, 'utf8')) as { type: string; features: Feature[] };
    assert.equal(collection.type, 'FeatureCollection');
    const rows = csvNuclei(paths.csv);
    assert.equal(collection.features.length, rows.length);
    assert.equal(summary.counts.total, rows.length);
    assert.ok(rows.length > 1000);
    assert.equal(new Set(rows.map((row) => row.id)).size, rows.length, 'ids are unique across the slide');
    assert.ok(rows.every((row) => ['tumor', 'lymphocyte', 'stroma'][row.id % 3] !== undefined));
    for (const feature of collection.features) {
      assert.equal(feature.properties.objectType, 'detection');
      assert.ok(['Tumor', 'Lymphocyte', 'Stroma'].includes(feature.properties.classification.name));
      assert.ok(feature.properties.measurements['Class probability'] > 0.9);
      assert.ok(['Polygon', 'MultiPolygon'].includes(feature.geometry.type));
    }
    // Coordinates are level-0 slide pixels: every nucleus lies inside one of the source images.
    assert.ok(rows.every((row) => made.placements.some((p) => row.x >= p.x && row.x < p.x + p.width && row.y >= p.y && row.y < p.y + p.height)));

    const written = JSON.parse(readFileSync(paths.summary, 'utf8')) as SlideSummary;
    assert.deepEqual(written.counts, summary.counts);
    assert.equal(written.slide.micronsPerPixel, 0.25);
    assert.ok(written.densityPerMm2 !== null && written.densityPerMm2.total > 1000, 'nuclei per mm² of tissue');

    const overlay = new OpenSlide(paths.overlay!);
    try {
      assert.equal(overlay.levels[0].width, made.width);
      assert.ok(overlay.levels.length > 1, 'pyramidal');
      assert.equal(Number(overlay.properties['tiff.XResolution']), 40000);
      // A painted tumor interior stays red; its outline is drawn in the class colour too.
      const glass = overlay.readRegion(0, 2, 2, 8, 8);
      assert.ok(glass.data.every((v) => v > 240), 'background is white');
    } finally {
      overlay.close();
    }
  }),
);

test('--region limits the run to part of the slide; an empty region is an error', { skip }, () =>
  withTempDir(async (dir) => {
    const sources = await paintedConsep(['train_18'], dir);
    const made = await writeTestSlide({ path: join(dir, 'one.tiff'), cells: sources, columns: 1, gutter: 24 });
    const region = { x: 300, y: 200, width: 400, height: 300 };
    const { paths, summary } = await predictSlide({ slide: made.path, outDir: join(dir, 'out'), finder: finder(), region, overlay: false, ...RUN_SETTINGS.slide });
    const rows = csvNuclei(paths.csv);
    assert.ok(rows.length > 100);
    assert.ok(rows.every((row) => row.x + 0.5 >= 300 && row.x + 0.5 < 700 && row.y + 0.5 >= 200 && row.y + 0.5 < 500), 'centroids inside the region');
    assert.deepEqual(summary.slide.region, region);
    await assert.rejects(predictSlide({ slide: made.path, outDir: join(dir, 'out'), finder: finder(), region: { x: 5000, y: 0, width: 100, height: 100 } }), /region 5000,0,100,100 is empty or outside the slide \(1048×1048 px\)/);
    await assert.rejects(predictSlide({ slide: made.path, outDir: join(dir, 'out'), finder: finder(), region: { x: 0, y: 0, width: 0, height: 10 } }), /is empty/);
  }),
);

test('kill -9 mid-slide, then the same command: it resumes and writes identical outputs', { skip }, () =>
  withTempDir(async (dir) => {
    const sources = await paintedConsep(['train_1', 'train_18'], dir);
    const made = await writeTestSlide({ path: join(dir, 'pair.tiff'), cells: sources, columns: 2, gutter: 24 });
    const child = fileURLToPath(new URL('./slide-child.js', import.meta.url));
    const run = (outDir: string, killAfterTiles?: number): Promise<number | null> =>
      new Promise((resolve, reject) => {
        const process_ = spawn(process.execPath, [child, made.path, outDir], { stdio: ['ignore', 'ignore', 'inherit'] });
        const tilesDir = join(outDir, '.run.slide-run', 'tiles');
        const watch = killAfterTiles === undefined ? null : setInterval(() => {
          const done = existsSync(tilesDir) ? readdirSync(tilesDir).filter((name) => name.endsWith('.json')).length : 0;
          if (done >= killAfterTiles) process_.kill('SIGKILL');
        }, 20);
        process_.on('error', reject);
        process_.on('exit', (code) => {
          if (watch !== null) clearInterval(watch);
          resolve(code);
        });
      });
    const interrupted = join(dir, 'interrupted');
    assert.equal(await run(interrupted, 6), null, 'killed');
    const saved = readdirSync(join(interrupted, '.run.slide-run', 'tiles')).filter((name) => name.endsWith('.json')).length;
    assert.ok(saved >= 6 && saved < 36, `${saved} tiles were done when it was killed`);
    assert.ok(!existsSync(join(interrupted, 'run.geojson')));
    // The same command again, in-process so that the resumed tile count can be checked.
    const resumed = await predictSlide({ slide: made.path, outDir: interrupted, name: 'run', finder: finder(), ...RUN_SETTINGS.slide });
    assert.ok(resumed.resumedTiles >= saved - 1, `${resumed.resumedTiles} tiles resumed`);
    const whole = join(dir, 'whole');
    assert.equal(await run(whole), 0);
    for (const file of ['run.geojson', 'run_nuclei.csv', 'run_summary.json', 'run_overlay.tiff']) {
      assert.ok(readFileSync(join(interrupted, file)).equals(readFileSync(join(whole, file))), `${file} is identical`);
    }
  }),
);

test('a work unit is plain JSON and gives the nuclei the run gives', { skip }, () =>
  withTempDir(async (dir) => {
    const sources = await paintedConsep(['train_6'], dir);
    const made = await writeTestSlide({ path: join(dir, 'one.tiff'), cells: sources, columns: 1, gutter: 24 });
    const stand = finder();
    const { paths } = await predictSlide({ slide: made.path, outDir: join(dir, 'out'), finder: stand, overlay: false, includeBackground: true, ...RUN_SETTINGS.slide });
    const slide = await Slide.open(made.path);
    const view = new ModelView(slide, stand.mpp);
    const tiles = planSlideTiles({ width: view.width, height: view.height, region: { x: 0, y: 0, width: view.width, height: view.height }, size: RUN_SETTINGS.slide.tileSize, margin: RUN_SETTINGS.slide.margin });
    slide.close();
    const units: WorkUnit[] = [tiles.slice(0, 10), tiles.slice(10)].map((part) => ({ slide: { path: made.path }, model: { checkpoint: 'unused-with-a-finder', options: RUN_SETTINGS.window }, tiles: part }));
    const results = (await Promise.all(units.map((unit) => runWorkUnit(JSON.parse(JSON.stringify(unit)) as WorkUnit, stand)))).flat();
    const fromUnits = results.flatMap((result) => result.records.map((record) => `${record.centroid.x},${record.centroid.y},${record.area}`));
    const fromRun = csvNuclei(paths.csv).map((row) => `${row.x},${row.y},${row.area}`);
    assert.deepEqual(fromUnits, fromRun);
  }),
);
