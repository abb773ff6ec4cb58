// The caching CPU allocator (native/src/cpu_allocator.cc): freed blocks of ≥ 32 KiB are reused, values
// stay right, emptyCpuCache() gives the memory back, the cap holds, and HISTONUC_CPU_CACHE_MB=0 or a
// malformed value behave as documented. Each case runs in a fresh Node process, because the allocator
// is installed once per process when the addon loads, with the cap read from the environment then.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { repoRoot } from '../support/env.js';

const engineUrl = pathToFileURL(resolve(repoRoot, 'dist', 'src', 'engine', 'index.js')).href;
const MiB = 2 ** 20;

interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module body (with `E` = the engine) in a child process with extra environment variables. */
function runChild(body: string, env: Record<string, string> = {}): ChildResult {
  const source = `import * as E from ${JSON.stringify(engineUrl)};\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runChildJson<T>(body: string, env: Record<string, string> = {}): T {
  const result = runChild(body, env);
  assert.equal(result.status, 0, `child process failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

// 1×64×64×64 values (1 MiB in float32) from arange, doubled 20 times: each output is the same size, so
// every output after the first should reuse the block the previous one freed. Checks every value.
const repeatedOps = `
const n = 64 * 64 * 64;
const x = E.arange(0, n, 1, { dtype: 'float32' }).reshape(1, 64, 64, 64);
const hits = [];
let wrong = 0;
for (let i = 0; i < 20; i++) {
  const doubled = x.mul(2);
  const y = doubled.add(i);
  doubled.dispose();
  const values = y.toTypedArray();
  for (let j = 0; j < n; j++) if (values[j] !== 2 * j + i) wrong++;
  y.dispose();
  hits.push(E.cpuCacheStats().hits);
}
console.log(JSON.stringify({ hits, wrong, stats: E.cpuCacheStats() }));
`;

interface RepeatedOps {
  hits: number[];
  wrong: number;
  stats: { cachedBytes: number; allocatedBytes: number; hits: number; misses: number; capBytes: number };
}

test('repeated same-size ops reuse cached blocks and compute the right values', () => {
  const { hits, wrong, stats } = runChildJson<RepeatedOps>(repeatedOps);
  assert.equal(wrong, 0, 'values differ from 2·j + i');
  for (let i = 2; i < hits.length; i++) assert.ok(hits[i]! > hits[i - 1]!, `no cache hit in iteration ${i}: ${hits.join(', ')}`);
  assert.ok(stats.misses <= 4, `${stats.misses} misses for 20 iterations of two same-size ops`);
  assert.ok(stats.cachedBytes >= MiB, `only ${stats.cachedBytes} bytes cached after freeing 1 MiB tensors`);
  assert.ok(stats.allocatedBytes >= MiB, 'the live input x (1 MiB) is not counted as allocated');
  assert.ok(stats.capBytes > 0);
});

test('HISTONUC_CPU_CACHE_MB=0 keeps libtorch default allocator (no caching, same values)', () => {
  const { hits, wrong, stats } = runChildJson<RepeatedOps>(repeatedOps, { HISTONUC_CPU_CACHE_MB: '0' });
  assert.equal(wrong, 0, 'values differ from 2·j + i');
  assert.deepEqual(stats, { cachedBytes: 0, allocatedBytes: 0, hits: 0, misses: 0, capBytes: 0 });
  assert.ok(hits.every((h) => h === 0));
});

test('emptyCpuCache returns freed memory to the system (resident set drops)', () => {
  // Eight 32 MiB tensors, written in full, then freed: they stay resident in the cache until emptied.
  const result = runChildJson<{ live: number; cached: number; emptied: number; cachedBytes: number; after: number }>(`
const rss = () => process.memoryUsage().rss;
const base = rss();
const ts = Array.from({ length: 8 }, (_, i) => E.full([8 * 2 ** 20], i, { dtype: 'float32' }));
const live = rss() - base;
for (const t of ts) t.dispose();
const cached = rss() - base;
const cachedBytes = E.cpuCacheStats().cachedBytes;
E.emptyCpuCache();
console.log(JSON.stringify({ live, cached, emptied: rss() - base, cachedBytes, after: E.cpuCacheStats().cachedBytes }));
`);
  const allocated = 8 * 32 * MiB;
  assert.ok(result.live >= 0.9 * allocated, `only ${result.live} bytes resident for ${allocated} written`);
  assert.ok(result.cached >= 0.9 * allocated, `freed blocks left the resident set before emptyCpuCache (${result.cached})`);
  assert.equal(result.cachedBytes, allocated);
  assert.equal(result.after, 0);
  assert.ok(result.emptied < 0.1 * allocated, `${result.emptied} bytes still resident after emptyCpuCache`);
});

test('the cap holds: least recently freed blocks are unmapped, blocks above the cap are never cached', () => {
  const result = runChildJson<{ afterEight: number; afterLarge: number; capBytes: number; hits: number }>(
    `
const ts = Array.from({ length: 8 }, () => E.full([8 * 2 ** 20], 1, { dtype: 'float32' }));  // 32 MiB each
for (const t of ts) t.dispose();
const afterEight = E.cpuCacheStats().cachedBytes;
E.full([32 * 2 ** 20], 1, { dtype: 'float32' }).dispose();  // 128 MiB > cap
const afterLarge = E.cpuCacheStats().cachedBytes;
const again = E.full([8 * 2 ** 20], 2, { dtype: 'float32' });  // served from the cache
const { hits, capBytes } = E.cpuCacheStats();
again.dispose();
console.log(JSON.stringify({ afterEight, afterLarge, capBytes, hits }));
`,
    { HISTONUC_CPU_CACHE_MB: '100' },
  );
  assert.equal(result.capBytes, 100 * MiB);
  assert.equal(result.afterEight, 96 * MiB, 'three 32 MiB blocks fit under a 100 MiB cap');
  assert.equal(result.afterLarge, 96 * MiB, 'a block larger than the cap was cached or evicted others');
  assert.equal(result.hits, 1);
});

test('a malformed HISTONUC_CPU_CACHE_MB stops loading with a message naming it', () => {
  const result = runChild('E.zeros([1]);', { HISTONUC_CPU_CACHE_MB: '4GB' });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /HISTONUC_CPU_CACHE_MB must be a whole number of MiB .*got '4GB'/);
});
