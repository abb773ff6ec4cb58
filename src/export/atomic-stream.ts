// A file written piece by piece that appears complete or not at all: the pieces go to a hidden
// temporary file beside the target, which commit() flushes and renames over the target and
// discard() deletes. Until commit() the target (and any earlier version of it) is untouched. The
// one-shot counterpart is util/atomic-file.ts.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Pieces are gathered into writes of about this many bytes.
const BUFFER_BYTES = 1 << 20;

let streams = 0;

export class AtomicFileStream {
  private readonly temporary: string;
  private fd: number | null;
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(readonly path: string) {
    this.temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${streams++}.partial`);
    this.fd = openSync(this.temporary, 'w');
  }

  write(text: string): void {
    const fd = this.open();
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= BUFFER_BYTES) this.flush(fd);
  }

  /** Makes the file appear at its path, complete. */
  commit(): void {
    const fd = this.open();
    try {
      this.flush(fd);
      fsyncSync(fd);
      this.close();
      renameSync(this.temporary, this.path);
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  /** Drops everything written; the path keeps whatever it had before. Safe to call more than once. */
  discard(): void {
    this.close();
    this.pending = [];
    rmSync(this.temporary, { force: true });
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.path}: already committed or discarded`);
    return this.fd;
  }

  private flush(fd: number): void {
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
  }

  private close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}
