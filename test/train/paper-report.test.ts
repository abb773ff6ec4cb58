// The paper report (bench/paper/report.ts) rebuilt from the run records kept in docs/runs: every
// finished variant's numbers come from its evaluation, variants not run are named, and variants
// trained on different schedules are refused (an unfair comparison).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { repoRoot } from '../support/env.js';

const report = join(repoRoot, 'dist', 'bench', 'paper', 'report.js');
const records = join(repoRoot, 'docs', 'runs');
const dir = mkdtempSync(join(tmpdir(), 'histonuc-paper-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The paper's four variants (scripts/paper-experiments.sh) and their row titles.
const VARIANTS = [['fcn8s', 'FCN-8s'], ['unet', 'U-Net'], ['resunet34-no-lper', 'ResUNet34 w.o. L_per'], ['resunet34', 'ResUNet34 (with L_per)']] as const;

function runReport(runs: string, out: string): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, [report, runs, out], { encoding: 'utf8' });
}

test('the report rebuilt from docs/runs holds each variant\'s evaluated numbers and names the variants not run', () => {
  const out = join(dir, 'RESULTS.md');
  const run = runReport(records, out);
  assert.equal(run.status, 0, run.stderr);
  const markdown = readFileSync(out, 'utf8');
  assert.ok(existsSync(join(dir, 'figures', 'paper-curves.png')));
  const recorded = VARIANTS.filter(([variant]) => existsSync(join(records, variant, 'evaluation.json')));
  assert.ok(recorded.length >= 2, 'docs/runs holds at least the two first finished variants');
  for (const [variant, title] of recorded) {
    const { summary } = JSON.parse(readFileSync(join(records, variant, 'evaluation.json'), 'utf8')) as {
      summary: { paper: { table1: { all: { f1: number; dice: number } } }; standard: { hovernet: { fd: number } } };
    };
    const row = markdown.split('\n').find((line) => line.startsWith(`| **${title}** (histonuc) |`));
    assert.ok(row !== undefined, `no Table 1 row for ${title}`);
    assert.equal(row.split('|')[2]!.trim(), summary.paper.table1.all.f1.toFixed(3));
    assert.equal(row.split('|')[3]!.trim(), summary.paper.table1.all.dice.toFixed(3));
    assert.ok(markdown.includes(summary.standard.hovernet.fd.toFixed(4)), `F_d of ${title}`);
    const machine = readFileSync(join(records, variant, 'machine.txt'), 'utf8').trim();
    assert.ok(markdown.split('\n').some((line) => line.startsWith(`| ${title} |`) && line.includes(`| ${machine} |`)), `the machine of ${title}`);
  }
  const missing = VARIANTS.filter((entry) => !recorded.includes(entry)).map(([, title]) => title);
  if (missing.length === 0) assert.doesNotMatch(markdown, /Not run yet/);
  else assert.ok(markdown.includes(`**Not run yet:** ${missing.join(', ')} `), `names ${missing.join(', ')} as not run`);
});

test('variants trained on different schedules are refused', () => {
  const runs = join(dir, 'unfair');
  cpSync(records, runs, { recursive: true });
  const configPath = join(runs, 'unet', 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), epochs: 300 }));
  const run = runReport(runs, join(dir, 'unfair.md'));
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /the variants were trained with different schedules/);
  assert.ok(!existsSync(join(dir, 'unfair.md')));
});
