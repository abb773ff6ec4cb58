// histonuc's tensor engine: TypeScript over libtorch.
export { Tensor, elementSize } from './tensor.js';
export type { AnyTypedArray, DeviceName, DType, Operand } from './tensor.js';
export * from './factory.js';
export * as F from './functional.js';
export { scope, keep } from './scope.js';
export * from './runtime.js';
export * from './precision.js';
export { Module, type Layer } from './nn/module.js';
export * from './nn/layers.js';
export { Adam, AdamW, type AdamOptions, type AdamStateDict } from './optim/adam.js';
export { readSafetensors, writeSafetensors, type SafetensorsContent } from './serialization/safetensors.js';
export { loadStateDictFile, mapKeys } from './serialization/torch-import.js';
