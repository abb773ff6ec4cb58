// Import of PyTorch state dicts (.pth/.pt files written by torch.save, the zip format that torchvision
// uses) through libtorch's own unpickler, and of safetensors files from other tools.
import { existsSync } from 'node:fs';

import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { readSafetensors } from './safetensors.js';

/** Reads a state dict (name → tensor) from a .pth/.pt or .safetensors file. */
export function loadStateDictFile(path: string): Map<string, Tensor> {
  if (!existsSync(path)) throw new Error(`weights file '${path}' does not exist`);
  if (path.endsWith('.safetensors')) return readSafetensors(path).tensors;
  return new Map(native.loadStateDict(path).map(([name, handle]) => [name, new Tensor(handle)]));
}

/**
 * Renames the entries of a state dict: each rule maps a source prefix to a target prefix (the first
 * matching rule wins); entries no rule matches are dropped when dropUnmatched, else kept as they are.
 */
export function mapKeys(
  state: ReadonlyMap<string, Tensor>,
  rules: readonly [from: string, to: string][],
  dropUnmatched = false,
): Map<string, Tensor> {
  const result = new Map<string, Tensor>();
  for (const [name, value] of state) {
    const rule = rules.find(([from]) => name.startsWith(from));
    if (rule !== undefined) result.set(rule[1] + name.slice(rule[0].length), value);
    else if (!dropUnmatched) result.set(name, value);
  }
  return result;
}
