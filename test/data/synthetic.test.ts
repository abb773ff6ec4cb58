import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDataset } from '../../src/data/dataset.js';
import { generateSyntheticTile, writeSyntheticDataset } from '../../src/data/synthetic.js';

interface KindStats {
  count: number;
  area: number;
  elongation: number;
  brightness: number;
}

/** Per class: mean nucleus area, mean elongation (major/minor axis from second moments), mean grey level. */
function statsByClass(seeds: number[]): KindStats[] {
  const totals = [0, 1, 2].map(() => ({ count: 0, area: 0, elongation: 0, brightness: 0 }));
  for (const seed of seeds) {
    const { image, labels } = generateSyntheticTile(256, 256, seed);
    const moments = new Map<number, number[]>();
    labels.data.forEach((id, i) => {
      if (id === 0) return;
      const x = i % 256;
      const y = (i - x) / 256;
      const m = moments.get(id) ?? [0, 0, 0, 0, 0, 0, 0];
      m[0]++; m[1] += x; m[2] += y; m[3] += x * x; m[4] += y * y; m[5] += x * y;
      m[6] += (image.data[3 * i] + image.data[3 * i + 1] + image.data[3 * i + 2]) / 3;
      moments.set(id, m);
    });
    for (const [id, [n, sx, sy, sxx, syy, sxy, grey]] of moments) {
      if (n < 20) continue;
      const cxx = sxx / n - (sx / n) ** 2;
      const cyy = syy / n - (sy / n) ** 2;
      const cxy = sxy / n - (sx / n) * (sy / n);
      const root = Math.sqrt(((cxx - cyy) / 2) ** 2 + cxy ** 2);
      const t = totals[id % 3];
      t.count++;
      t.area += n;
      t.elongation += Math.sqrt(((cxx + cyy) / 2 + root) / Math.max(1e-9, (cxx + cyy) / 2 - root));
      t.brightness += grey / n;
    }
  }
  return totals.map((t) => ({ count: t.count, area: t.area / t.count, elongation: t.elongation / t.count, brightness: t.brightness / t.count }));
}

test('the same seed gives the same tile; another seed another tile', () => {
  const a = generateSyntheticTile(200, 150, 7);
  const b = generateSyntheticTile(200, 150, 7);
  const c = generateSyntheticTile(200, 150, 8);
  assert.deepEqual(a.image.data, b.image.data);
  assert.deepEqual(a.labels.data, b.labels.data);
  assert.notDeepEqual(a.labels.data, c.labels.data);
  assert.equal(a.image.channels, 3);
  assert.equal(a.labels.width, 200);
  assert.equal(a.labels.height, 150);
});

test('the three kinds differ as tumor, lymphocyte and stroma nuclei do', () => {
  const [tumor, lymphocyte, stroma] = statsByClass([1, 2, 3, 4, 5, 6]);
  for (const kind of [tumor, lymphocyte, stroma]) assert.ok(kind.count >= 30, `each kind is common: ${JSON.stringify(kind)}`);
  assert.ok(tumor.area > 1.8 * lymphocyte.area, 'tumor nuclei are much larger than lymphocytes');
  assert.ok(stroma.elongation > 2 && tumor.elongation < 1.6 && lymphocyte.elongation < 1.3, 'stroma nuclei are spindles');
  assert.ok(lymphocyte.brightness < tumor.brightness - 20, 'lymphocytes are darker than vesicular tumor nuclei');
});

test('nuclei touch: tumor nests are crowded', () => {
  let touching = 0;
  for (const seed of [1, 2, 3]) {
    const { labels } = generateSyntheticTile(256, 256, seed);
    const d = labels.data;
    for (let i = 0; i + 1 < d.length; i++) if (d[i] > 0 && d[i + 1] > 0 && d[i] !== d[i + 1] && (i + 1) % 256 !== 0) touching++;
  }
  assert.ok(touching > 50, `pixels where two nuclei touch: ${touching}`);
});

test('tiles are fast to make', () => {
  generateSyntheticTile(256, 256, 0);
  const start = performance.now();
  for (let seed = 1; seed <= 4; seed++) generateSyntheticTile(256, 256, seed);
  const perTile = (performance.now() - start) / 4;
  assert.ok(perTile < 400, `${perTile.toFixed(0)} ms per 256×256 tile`);
});

test('a synthetic dataset folder passes the dataset check', async () => {
  const root = mkdtempSync(join(tmpdir(), 'histonuc-synthetic-'));
  try {
    const dir = join(root, 'set');
    await writeSyntheticDataset(dir, { count: 6, width: 128, height: 96, seed: 3, valFraction: 1 / 6, testFraction: 1 / 6 });
    const report = await checkDataset(dir);
    assert.equal(report.ok, true, JSON.stringify(report.issues));
    assert.deepEqual(report.issues, []);
    assert.equal(report.images.length, 6);
    assert.deepEqual(report.split, {
      train: ['synthetic_1', 'synthetic_2', 'synthetic_3', 'synthetic_4'], val: ['synthetic_5'], test: ['synthetic_6'],
    });
    assert.ok(report.images.every((image) => image.width === 128 && image.height === 96));
    await assert.rejects(writeSyntheticDataset(dir, { count: 1, width: 64, height: 64, seed: 1 }), /already exists/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
