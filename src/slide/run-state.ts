// What a slide run has finished, kept on disk so that an interrupted run resumes where it stopped:
// a folder beside the outputs with the run's manifest (slide, model, settings) and one file per
// finished tile, each written atomically. A manifest that differs (another model, other settings)
// starts the run afresh. The final outputs are always assembled from the tile files, in tile order,
// so a resumed run writes exactly what an uninterrupted one does.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { TileResult } from './work-unit.js';

const MANIFEST = 'manifest.json';

export class RunState {
  private constructor(readonly dir: string) {}

  /** Opens (or starts) the state of the run described by `manifest`; `resumed` says which. */
  static open(dir: string, manifest: object): { state: RunState; resumed: boolean } {
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    const manifestPath = join(dir, MANIFEST);
    const resumed = existsSync(manifestPath) && readFileSync(manifestPath, 'utf8') === text;
    if (!resumed) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'tiles'), { recursive: true });
      writeFileAtomic(manifestPath, (write) => write(text));
    }
    return { state: new RunState(dir), resumed };
  }

  /** A path inside the state folder for other files of the run (e.g. the overlay canvas). */
  file(name: string): string {
    return join(this.dir, name);
  }

  isDone(tile: number): boolean {
    return existsSync(this.tilePath(tile));
  }

  save(result: TileResult): void {
    writeFileAtomic(this.tilePath(result.tile), (write) => write(JSON.stringify(result)));
  }

  load(tile: number): TileResult {
    return JSON.parse(readFileSync(this.tilePath(tile), 'utf8')) as TileResult;
  }

  /** Deletes the state once the outputs are complete. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tilePath(tile: number): string {
    return join(this.dir, 'tiles', `${String(tile).padStart(7, '0')}.json`);
  }
}
