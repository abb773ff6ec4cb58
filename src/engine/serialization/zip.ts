// A minimal reader of ZIP archives (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT), enough
// for the ones torch.save writes: the central directory (ZIP64 included, for files over 4 GB) and
// STORED or DEFLATE entries. Entries are read from the file on demand, so each byte is read once.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

const endSignature = 0x06054b50;
const zip64LocatorSignature = 0x07064b50;
const zip64EndSignature = 0x06064b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;
const zip64ExtraId = 0x0001;
const stored = 0;
const deflated = 8;
// readSync reads at most 2 GiB - 1 bytes per call.
const maxRead = 0x7fffffff;

interface Entry {
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export class ZipFile {
  readonly #fd: number;
  readonly #entries: Map<string, Entry>;
  #scratch = Buffer.alloc(0);

  private constructor(fd: number, entries: Map<string, Entry>) {
    this.#fd = fd;
    this.#entries = entries;
  }

  /** Opens path and reads its central directory; throws when it is not a ZIP archive. */
  static open(path: string): ZipFile {
    const fd = openSync(path, 'r');
    try {
      return new ZipFile(fd, readCentralDirectory(fd, fstatSync(fd).size));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get names(): IterableIterator<string> {
    return this.#entries.keys();
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The uncompressed bytes of entry name, in a buffer of their own. */
  read(name: string): Uint8Array {
    return this.#read(name, (size) => Buffer.allocUnsafe(size));
  }

  /**
   * Like read, but the bytes of a stored entry land in a buffer this archive reuses, valid until the
   * next readTransient: for bytes copied at once, it spares the page faults of a fresh buffer per entry.
   */
  readTransient(name: string): Uint8Array {
    return this.#read(name, (size) => {
      if (this.#scratch.length < size) this.#scratch = Buffer.allocUnsafe(Math.max(...[...this.#entries.values()].map((e) => e.compressedSize)));
      return this.#scratch.subarray(0, size);
    });
  }

  #read(name: string, allocate: (size: number) => Buffer): Uint8Array {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new Error(`the archive has no entry '${name}'`);
    const header = readAt(this.#fd, entry.localHeaderOffset, Buffer.allocUnsafe(30));
    if (header.readUInt32LE(0) !== localSignature) throw new Error(`entry '${name}' has no local header where the directory says`);
    // The local header's extra field may differ from the central directory's (torch pads it to align the data).
    const dataOffset = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const data = readAt(this.#fd, dataOffset, allocate(entry.compressedSize));
    if (entry.method === stored) return data;
    if (entry.method !== deflated) throw new Error(`entry '${name}' uses compression method ${entry.method} (only stored and deflate are supported)`);
    const inflated = inflateRawSync(data);
    if (inflated.length !== entry.size) throw new Error(`entry '${name}' inflates to ${inflated.length} bytes, not ${entry.size}`);
    return inflated;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Fills bytes from offset on; throws when the file ends before. */
function readAt(fd: number, offset: number, bytes: Buffer): Buffer {
  const length = bytes.length;
  for (let done = 0; done < length; ) {
    const count = readSync(fd, bytes, done, Math.min(length - done, maxRead), offset + done);
    if (count === 0) throw new Error(`the file ends at byte ${offset + done}, before the ${length} bytes at ${offset} (truncated?)`);
    done += count;
  }
  return bytes;
}

function readCentralDirectory(fd: number, fileSize: number): Map<string, Entry> {
  // The end record (22 bytes) is followed by a comment of at most 65535 bytes.
  const tailStart = Math.max(0, fileSize - 22 - 0xffff);
  const tail = readAt(fd, tailStart, Buffer.allocUnsafe(fileSize - tailStart));
  let end = tail.length - 22;
  while (end >= 0 && tail.readUInt32LE(end) !== endSignature) end--;
  if (end < 0) throw new Error('it is not a ZIP archive (no end of central directory record: truncated, or another format)');
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (end >= 20 && tail.readUInt32LE(end - 20) === zip64LocatorSignature) {
    const zip64End = readAt(fd, readUInt64(tail, end - 20 + 8), Buffer.allocUnsafe(56));
    if (zip64End.readUInt32LE(0) !== zip64EndSignature) throw new Error('its ZIP64 end record is missing');
    count = readUInt64(zip64End, 32);
    directorySize = readUInt64(zip64End, 40);
    directoryOffset = readUInt64(zip64End, 48);
  }
  if (directoryOffset + directorySize > fileSize) throw new Error('its central directory lies past the end of the file (truncated?)');
  const directory = readAt(fd, directoryOffset, Buffer.allocUnsafe(directorySize));
  const entries = new Map<string, Entry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== centralSignature) throw new Error(`its central directory is corrupt at entry ${i}`);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    const entry: Entry = {
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    applyZip64Extra(entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    if (entry.localHeaderOffset + entry.compressedSize > fileSize) throw new Error(`entry '${name}' lies past the end of the file (truncated?)`);
    entries.set(name, entry);
    at += 46 + nameLength + extraLength + directory.readUInt16LE(at + 32);
  }
  return entries;
}

/** Sizes and offsets too large for 32 bits are 0xffffffff in the entry and stored, in this order, in the ZIP64 extra field. */
function applyZip64Extra(entry: Entry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== zip64ExtraId) continue;
    let field = at + 4;
    for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
      if (entry[key] !== 0xffffffff) continue;
      entry[key] = readUInt64(extra, field);
      field += 8;
    }
  }
}

function readUInt64(bytes: Buffer, offset: number): number {
  const value = bytes.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`a ZIP64 size or offset (${value}) is too large`);
  return Number(value);
}
