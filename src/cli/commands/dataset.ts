// `histonuc dataset …`: check a dataset folder, preview its augmented samples, make synthetic data,
// import CoNSeP or generic instance/type maps.
import { checkDataset, formatDatasetReport } from '../../data/dataset.js';
import { importConsep } from '../../data/import-consep.js';
import { formatImportReport, type ImportReport } from '../../data/import-dataset.js';
import { importInstanceTypeMaps } from '../../data/import-instance-maps.js';
import { writePreview } from '../../data/preview.js';
import { writeSyntheticDataset } from '../../data/synthetic.js';
import { ProgressBar } from '../../util/progress.js';
import { numberFlag, stringFlag, UsageError, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';

function positional(args: ParsedArgs, count: number, usage: string): string[] {
  if (args.positional.length !== count) throw new UsageError(`expected ${count} argument(s): ${usage}`);
  return args.positional;
}

export const datasetCheckCommand: Command = {
  path: ['dataset', 'check'],
  usage: 'histonuc dataset check DIR',
  summary: 'validate a dataset folder: pairs, sizes, readability, empty labels, split, class counts',
  flags: {},
  async run(args) {
    const [dir] = positional(args, 1, 'DIR');
    const report = await checkDataset(dir!);
    console.log(formatDatasetReport(report));
    if (!report.ok) process.exitCode = 1;
  },
};

export const datasetPreviewCommand: Command = {
  path: ['dataset', 'preview'],
  usage: 'histonuc dataset preview DIR --out FILE.png',
  summary: 'write a PNG grid of augmented image / target / weight triples',
  flags: {
    out: { type: 'string', description: 'the PNG to write' },
    samples: { type: 'string', description: 'rows in the grid (default 6)' },
    seed: { type: 'string', description: 'augmentation seed (default 1)' },
  },
  async run(args) {
    const [dir] = positional(args, 1, 'DIR');
    const out = stringFlag(args, 'out');
    if (out === undefined) throw new UsageError('--out FILE.png is required');
    const drawn = await writePreview(dir!, out, {
      samples: numberFlag(args, 'samples', { integer: true, min: 1 }),
      seed: numberFlag(args, 'seed', { integer: true, min: 0 }),
    });
    console.log(`wrote ${out} (${drawn} augmented samples)`);
  },
};

export const datasetSyntheticCommand: Command = {
  path: ['dataset', 'synthetic'],
  usage: 'histonuc dataset synthetic OUT [--count 20] [--size 256] [--seed 1]',
  summary: 'generate a synthetic H&E dataset (tumor, lymphocyte and stroma nuclei) with a split',
  flags: {
    count: { type: 'string', description: 'number of tiles (default 20)' },
    size: { type: 'string', description: 'tile side in pixels (default 256)' },
    seed: { type: 'string', description: 'seed (default 1)' },
  },
  async run(args) {
    const [out] = positional(args, 1, 'OUT');
    const size = numberFlag(args, 'size', { integer: true, min: 64 }) ?? 256;
    const count = numberFlag(args, 'count', { integer: true, min: 1 }) ?? 20;
    await writeSyntheticDataset(out!, { count, width: size, height: size, seed: numberFlag(args, 'seed', { integer: true, min: 0 }) ?? 1 });
    console.log(`wrote ${count} synthetic ${size}×${size} tiles to ${out}`);
  },
};

async function runImport(run: (onImage: (done: number, total: number) => void) => Promise<ImportReport>): Promise<void> {
  let bar: ProgressBar | null = null;
  const report = await run((done, total) => {
    bar ??= new ProgressBar({ label: 'importing', total, unit: 'image' });
    bar.tick(1);
  });
  (bar as ProgressBar | null)?.finish();
  console.log(formatImportReport(report));
}

export const datasetImportConsepCommand: Command = {
  path: ['dataset', 'import', 'consep'],
  usage: 'histonuc dataset import consep SRC OUT',
  summary: 'convert a CoNSeP release (Images/*.png, Labels/*.mat) into a dataset folder',
  flags: {},
  async run(args) {
    const [src, out] = positional(args, 2, 'SRC OUT');
    await runImport((onImage) => importConsep(src!, out!, { onImage }));
  },
};

export const datasetImportMapsCommand: Command = {
  path: ['dataset', 'import', 'maps'],
  usage: 'histonuc dataset import maps SRC OUT',
  summary: 'convert images/ + instances/ + types/ + classes.json into a dataset folder',
  flags: {},
  async run(args) {
    const [src, out] = positional(args, 2, 'SRC OUT');
    await runImport((onImage) => importInstanceTypeMaps(src!, out!, { onImage }));
  },
};
