// Augmented 224×224 training samples per second: the batch loader on worker threads against the
// reference's sequential Python pipeline (bench/data/reference_pipeline.py, PIL/scipy), run side by
// side on the same CoNSeP patches, with the same number of processes.
//
// node dist/bench/data/augment-throughput.js [--workers 2] [--images 4] [--samples 512]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { numberFlag } from '../../src/cli/args.js';
import { loadDataset } from '../../src/data/dataset.js';
import { BatchLoader } from '../../src/data/loader.js';
import { prepareTrainingSet } from '../../src/data/training-set.js';
import { consepDir, consepSkipReason, referencePython, repoRoot } from '../../test/support/env.js';
import { benchOptions, exitIfMissing } from '../options.js';

const { workers, imageCount, samples } = benchOptions('node dist/bench/data/augment-throughput.js [options]', {
  workers: { type: 'string', description: 'loader workers, and Python processes (2)' },
  images: { type: 'string', description: 'CoNSeP images whose patches are sampled (4)' },
  samples: { type: 'string', description: 'augmented samples per side (512)' },
}, (args) => ({
  workers: numberFlag(args, 'workers', { integer: true, min: 0 }) ?? 2,
  imageCount: numberFlag(args, 'images', { integer: true, min: 1 }) ?? 4,
  samples: numberFlag(args, 'samples', { integer: true, min: 1 }) ?? 512,
}));
const batchSize = 8;

exitIfMissing(consepSkipReason());

async function loaderRate(): Promise<number> {
  const set = prepareTrainingSet((await loadDataset(consepDir)).slice(0, imageCount));
  const loader = new BatchLoader(set, { batchSize, seed: 1, workers });
  try {
    // Warm-up: start the workers and let the JIT optimise their code (a few hundred samples).
    for await (const batch of loader.epoch(0)) if (batch.index === 12 * Math.max(1, workers)) break;
    let made = 0;
    const start = performance.now();
    for (let epoch = 1; made < samples; epoch++) {
      for await (const batch of loader.epoch(epoch)) {
        made += batch.size;
        if (made >= samples) break;
      }
    }
    return made / ((performance.now() - start) / 1000);
  } finally {
    await loader.close();
  }
}

function pythonRate(): number {
  const result = spawnSync(referencePython, [
    join(repoRoot, 'bench', 'data', 'reference_pipeline.py'), join(consepDir, 'images'), join(consepDir, 'labels'),
    String(imageCount), String(Math.max(32, Math.round(samples / 4))), String(Math.max(1, workers)),
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`reference_pipeline.py failed: ${result.stderr}`);
  return (JSON.parse(result.stdout.trim().split('\n').pop() as string) as { samples_per_second: number }).samples_per_second;
}

const typescript = await loaderRate();
const python = pythonRate();
console.log(`augmented 224×224 samples/s, ${Math.max(1, workers)} process(es)/worker thread(s), ${imageCount} CoNSeP images (${imageCount * 16} patches):`);
console.log(`  histonuc loader (${workers} workers): ${typescript.toFixed(1)}`);
console.log(`  reference pipeline, Python (PIL/scipy): ${python.toFixed(1)}`);
console.log(`  ratio: ${(typescript / python).toFixed(2)}×`);
