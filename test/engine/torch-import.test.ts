// loadStateDictFile on files torch.save writes (test/reference/engine/torch_import.py), compared bit for
// bit with the same tensors written as raw bytes; and its errors on files it cannot read.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { loadStateDictFile, scope } from '../../src/engine/index.js';
import { pythonSkipReason, runPython } from '../support/env.js';

interface Expected {
  key: string;
  dtype: string;
  shape: number[];
  offset: number;
  nbytes: number;
}

const skip = pythonSkipReason('torch', 'torchvision');
let dir = '';
let manifest: Record<string, Expected[]> = {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'histonuc-torch-import-'));
  if (!skip) manifest = JSON.parse(runPython('test/reference/engine/torch_import.py', [dir])) as Record<string, Expected[]>;
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Loads <name>.pth and checks every tensor's dtype, shape and bytes against <reference>.bin. */
function checkFile(name: string, reference = name): void {
  scope(() => {
    const loaded = loadStateDictFile(join(dir, `${name}.pth`));
    const raw = readFileSync(join(dir, `${reference}.bin`));
    const expected = manifest[reference]!;
    assert.deepEqual([...loaded.keys()].sort(), expected.map((e) => e.key).sort(), `${name}: names`);
    for (const { key, dtype, shape, offset, nbytes } of expected) {
      const t = loaded.get(key)!;
      assert.equal(t.dtype, dtype, `${name}/${key}: dtype`);
      assert.deepEqual(t.shape, shape, `${name}/${key}: shape`);
      const data = t.toTypedArray();
      const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      assert.ok(bytes.equals(raw.subarray(offset, offset + nbytes)), `${name}/${key}: bytes differ`);
    }
  });
}

test('a torchvision resnet34 state dict (an OrderedDict with _metadata) loads bit-exactly, in order', { skip }, () => {
  checkFile('resnet34');
  scope(() => assert.deepEqual([...loadStateDictFile(join(dir, 'resnet34.pth')).keys()], manifest.resnet34!.map((e) => e.key)));
});

test('a dict with one entry', { skip }, () => checkFile('one_entry'));

test('every dtype of the engine: float32, float64, float16, bfloat16, int64, int32, uint8, bool', { skip }, () => checkFile('dtypes'));

test('an archive whose entries are compressed (deflate)', { skip }, () => checkFile('deflated', 'dtypes'));

test('views of one storage with offsets and non-contiguous strides (transposed, sliced, expanded)', { skip }, () => checkFile('views'));

test('an empty and a scalar tensor; nested dicts flattened with dots; entries that are not tensors skipped', { skip }, () => {
  checkFile('shapes');
  assert.deepEqual(manifest.shapes!.map((e) => e.key), ['empty', 'scalar', 'nested.inner']);
});

test('the legacy (pre-1.6) format is refused with a way out', { skip }, () => {
  assert.throws(() => loadStateDictFile(join(dir, 'legacy.pth')), /legacy\.pth' cannot be read .*legacy format.*re-save it with torch\.save from PyTorch ≥ 1\.6/);
});

test('truncated, corrupt and missing files give errors that name them', { skip }, () => {
  const bytes = readFileSync(join(dir, 'one_entry.pth'));
  writeFileSync(join(dir, 'cut.pth'), bytes.subarray(0, bytes.length - 100));
  assert.throws(() => loadStateDictFile(join(dir, 'cut.pth')), /cut\.pth' cannot be read as a PyTorch state dict .*not a ZIP archive/);
  const corrupt = Buffer.from(bytes);
  const pickleAt = corrupt.indexOf(Buffer.from([0x80, 0x02])); // the pickle's PROTO 2
  corrupt.fill(0xee, pickleAt + 2, pickleAt + 12);
  writeFileSync(join(dir, 'corrupt.pth'), corrupt);
  assert.throws(() => loadStateDictFile(join(dir, 'corrupt.pth')), /corrupt\.pth' cannot be read as a PyTorch state dict .*unsupported pickle opcode 0xee/);
  writeFileSync(join(dir, 'junk.pth'), 'not a checkpoint at all');
  assert.throws(() => loadStateDictFile(join(dir, 'junk.pth')), /junk\.pth' cannot be read as a PyTorch state dict .*not a ZIP archive/);
  assert.throws(() => loadStateDictFile(join(dir, 'missing.pth')), /missing\.pth' does not exist/);
});
