// Process-wide engine settings: gradient mode, autocast, threads, the CPU memory cache, devices.
import { readFileSync } from 'node:fs';

import { native, type CpuCacheStats, type DeviceName, type DType } from './native.js';

export type { CpuCacheStats } from './native.js';

/** Runs fn without recording autograd history (as torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  const before = native.isGradEnabled();
  native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(before);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/**
 * Runs fn with automatic mixed precision (as torch.autocast): eligible ops (convolutions, matmul)
 * run in dtype on the given device type; precision-sensitive ones stay in float32.
 */
export function autocast<T>(deviceType: 'cpu' | 'cuda', dtype: DType, fn: () => T): T {
  const dtypeBefore = native.autocastDtype(deviceType);
  const enabledBefore = native.autocastEnter(deviceType, dtype);
  try {
    return fn();
  } finally {
    native.autocastExit(deviceType, enabledBefore, dtypeBefore);
  }
}

/** Threads libtorch uses for intra-op parallelism (libtorch's own default here is 1). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Counters of histonuc's caching CPU allocator, which keeps freed tensor memory of 32 KiB and more
 * for reuse instead of returning it to the kernel (fresh pages fault expensively on first touch).
 * Its cap is HISTONUC_CPU_CACHE_MB (MiB, read at load; 0 turns the cache off).
 */
export function cpuCacheStats(): CpuCacheStats {
  return native.cpuCacheStats();
}
/** Returns the CPU cache's memory to the system (tensors still alive keep theirs). */
export function emptyCpuCache(): void {
  native.emptyCpuCache();
}

export function cudaDeviceCount(): number {
  return native.cudaDeviceCount();
}
export function cudaAvailable(): boolean {
  return native.cudaDeviceCount() > 0;
}
/** Waits for queued CUDA work (for timing); a no-op without CUDA. */
export function synchronize(): void {
  native.cudaSynchronize();
}

export function libtorchVersion(): string {
  return native.libtorchVersion();
}

/** Checks that a device name is usable here, with a message saying why not. */
export function checkDevice(device: DeviceName): void {
  if (device === 'cpu') return;
  const count = native.cudaDeviceCount();
  const index = device === 'cuda' ? 0 : Number(device.slice(5));
  if (!Number.isInteger(index) || index < 0) throw new Error(`invalid device '${device}' (expected cpu, cuda or cuda:N)`);
  if (count === 0) throw new Error(`device '${device}' requested but no CUDA device is usable (libtorch ${native.libtorchVersion()} sees none)`);
  if (index >= count) throw new Error(`device '${device}' requested but only ${count} CUDA device(s) exist`);
}

/** Whether this CPU runs bfloat16 arithmetic natively (AVX512-BF16 or AMX). */
export function cpuHasBf16(): boolean {
  try {
    const flags = readFileSync('/proc/cpuinfo', 'utf8');
    return /\b(avx512_bf16|amx_bf16)\b/.test(flags);
  } catch {
    return false;
  }
}
