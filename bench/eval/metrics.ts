// Speed of all evaluation metrics (the paper's, per class and for all nuclei, and the field's) on
// one 1000×1000 CoNSeP image against the Python reference (test/reference/eval/metrics.py), both
// timed in this run on the same prediction: the ground truth with the "mixed" perturbation.
// Run (one core): npx tsc -p . && taskset -c 0 node dist/bench/eval/metrics.js [image] [repeats]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateImage } from '../../src/eval/image-metrics.js';
import { makeCases } from '../../test/eval/cases.js';
import { consepDir, consepSkipReason, pythonSkipReason, runPython } from '../../test/support/env.js';
import { exitIfMissing } from '../options.js';

function main(): void {
  exitIfMissing(consepSkipReason() || pythonSkipReason('skimage', 'scipy', 'PIL'));
  const name = process.argv[2] ?? 'train_3';
  const repeats = Number(process.argv[3] ?? 9);
  const dir = mkdtempSync(join(tmpdir(), 'histonuc-eval-bench-'));
  try {
    const { manifestPath, datasets } = makeCases(dir, [consepDir, '--bench', name]);
    const { pred, gt } = datasets[0].images[0];

    let report = evaluateImage(name, pred, gt);
    const times: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const start = process.hrtime.bigint();
      report = evaluateImage(name, pred, gt);
      times.push(Number(process.hrtime.bigint() - start) / 1e9);
    }
    times.sort((a, b) => a - b);
    const seconds = times[Math.floor(times.length / 2)];
    const python = (JSON.parse(runPython('test/reference/eval/metrics.py', [manifestPath, '--seconds'])) as { bench: number }).bench;

    const { groups } = report.paper;
    console.log(`${name}: ${gt.width}×${gt.height}, ${groups.all.tp + groups.all.fn} ground-truth and ${groups.all.tp + groups.all.fp} predicted nuclei (paper objects)`);
    console.log('| implementation | seconds (all metrics, per class and all) |');
    console.log('|---|---|');
    console.log(`| histonuc (TypeScript), median of ${repeats} | ${seconds.toFixed(3)} |`);
    console.log(`| Python reference (scikit-image/scipy), 1 run | ${python.toFixed(3)} |`);
    console.log(`speed ratio: ${(python / seconds).toFixed(1)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
