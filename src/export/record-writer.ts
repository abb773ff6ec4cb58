// Streaming writers of nucleus records (the GeoJSON and CSV files): add() takes records as they come,
// a tile at a time if need be, and finish() makes the file appear complete. A failure anywhere, a
// record that cannot be formatted included, deletes the partial file and leaves the target untouched.
import { AtomicFileStream } from './atomic-stream.js';
import type { NucleusRecord } from './measure.js';

/** How one file type lays records out. */
export interface RecordLayout {
  readonly header: string;
  /** Written between consecutive records. */
  readonly separator: string;
  readonly footer: string;
  format(record: NucleusRecord): string;
}

export class RecordWriter {
  private readonly file: AtomicFileStream;
  private count = 0;

  constructor(
    path: string,
    private readonly layout: RecordLayout,
  ) {
    this.file = new AtomicFileStream(path);
    this.guarded(() => this.file.write(layout.header));
  }

  get path(): string {
    return this.file.path;
  }

  /** Records written so far. */
  get written(): number {
    return this.count;
  }

  add(records: Iterable<NucleusRecord>): void {
    this.guarded(() => {
      for (const record of records) {
        this.file.write((this.count++ > 0 ? this.layout.separator : '') + this.layout.format(record));
      }
    });
  }

  finish(): void {
    this.guarded(() => {
      this.file.write(this.layout.footer);
      this.file.commit();
    });
  }

  /** Gives up: the partial file is deleted. */
  abort(): void {
    this.file.discard();
  }

  private guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.file.discard();
      throw error;
    }
  }
}
