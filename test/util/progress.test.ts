// The progress bar: counts, rate and ETA, also for an epoch resumed part-way.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ProgressBar } from '../../src/util/progress.js';

function collector(): { lines: string[]; stream: { isTTY: false; write(text: string): boolean } } {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (text: string) => lines.push(text.trimEnd()) > 0 } };
}

function busyWait(ms: number): void {
  const start = performance.now();
  while (performance.now() - start < ms);
}

test('a bar resumed at 30 of 40 starts there, and its rate and ETA count only the items done since', () => {
  const { lines, stream } = collector();
  const bar = new ProgressBar({ label: 'epoch 2/5', total: 40, done: 30, unit: 'batch', stream });
  for (let k = 0; k < 5; k++) {
    busyWait(20);
    bar.tick(1, `loss ${k}`);
  }
  bar.finish();
  const last = lines.at(-1) ?? '';
  const match = /^epoch 2\/5 (█+)(░+) 35\/40 ([\d.]+) batch\/s ETA (\d+)s loss 4$/.exec(last);
  assert.ok(match, last);
  assert.equal(match[1].length, 21); // 35/40 of 24 cells
  const rate = Number(match[3]);
  assert.ok(rate > 1 && rate <= 55, `5 items in ~0.1 s is ~50/s, not the 350/s of counting the 30 resumed: ${last}`);
  assert.equal(Number(match[4]), Math.round(5 / rate));
});

test('a bar never passes its total, and a bar started at its total shows it done', () => {
  const { lines, stream } = collector();
  const bar = new ProgressBar({ label: 'x', total: 3, done: 5, stream });
  bar.tick(2);
  bar.finish();
  assert.match(lines.at(-1) ?? '', /^x █{24} 3\/3 /);
});
