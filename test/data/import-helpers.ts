// Checks shared by the importer tests: a sound import, and a failed one that leaves nothing behind.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkDataset, labelPath } from '../../src/data/dataset.js';
import type { ImportReport } from '../../src/data/import-dataset.js';
import { readLabels } from '../../src/image/io.js';

/** The dataset passes checkDataset with the report's images and each label map equals expected/<name>_label.png. */
export async function assertImported(report: ImportReport, expectedDir: string): Promise<void> {
  const check = await checkDataset(report.dir);
  assert.ok(check.ok, check.issues.map((issue) => `${issue.file}: ${issue.problem}`).join('\n'));
  assert.deepEqual(check.images, report.images.map(({ typeSource: _, ...summary }) => summary));
  for (const { name } of report.images) {
    const [actual, expected] = await Promise.all([readLabels(labelPath(report.dir, name)), readLabels(join(expectedDir, `${name}_label.png`))]);
    assert.deepEqual(actual, expected, name);
  }
}

/** The import fails with a message matching every pattern, and neither `outDir` nor a partial folder is left. */
export async function assertImportFails(run: () => Promise<unknown>, outDir: string, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof Error);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
  assert.ok(!existsSync(outDir), `${outDir} was left behind`);
  assert.deepEqual(readdirSync(dirname(outDir)).filter((entry) => entry.includes(`.${basename(outDir)}.`)), [], 'a partial folder was left behind');
}

/** A path as a regular expression matching it literally. */
export function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
