// bf16 and fp32 inference of the same trained weights find the same nuclei (issue 10): on CoNSeP
// images, the instance maps of the two precisions, scored against each other with the paper's
// object-level detection, reach F1 ≥ 0.99. Needs a trained ResUNet34 checkpoint named by
// HISTONUC_CHECKPOINT (skips without one). HISTONUC_AGREEMENT_IMAGES sets how many images (default 3,
// sorted by name; 0 = all).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

import { setNumThreads } from '../../src/engine/index.js';
import { evaluateImage } from '../../src/eval/image-metrics.js';
import { readImage } from '../../src/image/io.js';
import type { Raster } from '../../src/image/raster.js';
import { Predictor } from '../../src/infer/predictor.js';
import { consepDir, consepSkipReason } from '../support/env.js';

const checkpoint = process.env.HISTONUC_CHECKPOINT ?? null;
const skip = consepSkipReason() || (checkpoint === null ? 'no trained checkpoint (set HISTONUC_CHECKPOINT)' : false);

it('bf16 and fp32 inference give the same nuclei on CoNSeP images (object-level F1 ≥ 0.99)', { skip }, async () => {
  setNumThreads(2);
  const count = Number(process.env.HISTONUC_AGREEMENT_IMAGES ?? 3);
  const names = readdirSync(join(consepDir, 'images')).filter((name) => name.endsWith('.png')).sort();
  const chosen = count > 0 ? names.slice(0, count) : names;
  const bf16 = new Predictor(checkpoint!, { precision: 'bf16' });
  const fp32 = new Predictor(checkpoint!, { precision: 'fp32' });
  let [tp, fp, fn] = [0, 0, 0];
  try {
    for (const name of chosen) {
      const image = (await readImage(join(consepDir, 'images', name))) as Raster<Uint8Array>;
      const report = evaluateImage(name, bf16.predict(image, name).labels, fp32.predict(image, name).labels);
      const all = report.paper.groups.all;
      tp += all.tp;
      fp += all.fp;
      fn += all.fn;
    }
  } finally {
    bf16.dispose();
    fp32.dispose();
  }
  const f1 = (2 * tp) / (2 * tp + fp + fn);
  console.log(`bf16 vs fp32 on ${chosen.length} CoNSeP images with ${checkpoint}: ${tp} nuclei matched, ${fp} only in bf16, ${fn} only in fp32, F1 ${f1.toFixed(4)}`);
  assert.ok(tp > 100, `the checkpoint finds almost no nuclei (${tp}); the comparison would say nothing`);
  assert.ok(f1 >= 0.99, `object-level F1 of bf16 against fp32 is ${f1}`);
});
