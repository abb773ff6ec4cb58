// Where tests find the things they compare against: the reference Python (Debian's python3 with
// torch, torchvision, scikit-image and scipy) and the shared CoNSeP data. Tests that need one of them
// skip with a message saying what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/..., sources live in test/...). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Debian's interpreter, which sees python3-torch & co.; HISTONUC_PYTHON overrides it. */
export const referencePython = process.env.HISTONUC_PYTHON ?? '/usr/bin/python3';

const moduleCache = new Map<string, boolean>();

/** Whether the reference Python can import every module named; the reason to skip where it cannot. */
export function pythonSkipReason(...modules: string[]): string | false {
  const missing = modules.filter((name) => {
    if (!moduleCache.has(name)) {
      const probe = spawnSync(referencePython, ['-c', `import ${name}`], { encoding: 'utf8' });
      moduleCache.set(name, probe.status === 0);
    }
    return !moduleCache.get(name);
  });
  return missing.length === 0 ? false : `${referencePython} cannot import ${missing.join(', ')} (run scripts/setup.sh)`;
}

/** The shared CoNSeP training images (never committed); HISTONUC_CONSEP overrides the location. */
export const consepDir = process.env.HISTONUC_CONSEP ?? resolve(repoRoot, '..', 'shared', 'data', 'consep-train');

export function consepSkipReason(): string | false {
  return existsSync(resolve(consepDir, 'images')) ? false : `CoNSeP data not found at ${consepDir}`;
}

/** Runs a reference Python script from the repository and returns its stdout; throws with its stderr. */
export function runPython(script: string, args: string[] = [], input?: string): string {
  const result = spawnSync(referencePython, [resolve(repoRoot, script), ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`${script} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}
