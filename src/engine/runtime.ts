// Process-wide engine settings: gradient mode, autocast, threads, the CPU memory cache, devices.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

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

/** Threads libtorch uses for intra-op parallelism; defaultThreadCount() from the start (see below). */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * The thread count commands use unless told: one per physical core, as PyTorch does (a second
 * hyperthread on a core adds nothing to convolutions), and no more than the CPUs this process may run on.
 */
export function defaultThreadCount(): number {
  const usable = availableParallelism();
  return Math.max(1, Math.min(usable, physicalCores() ?? usable));
}

// libtorch's own default is one thread (Debian's build); start as PyTorch does instead, unless
// OMP_NUM_THREADS says otherwise.
if (process.env.OMP_NUM_THREADS === undefined) native.setNumThreads(defaultThreadCount());

// Distinct (physical id, core id) pairs of /proc/cpuinfo; null where it does not say (non-Linux, some VMs).
function physicalCores(): number | null {
  try {
    const cores = new Set<string>();
    for (const block of readFileSync('/proc/cpuinfo', 'utf8').split(/\n\s*\n/)) {
      const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
      if (core !== undefined) cores.add(`${/^physical id\s*:\s*(\d+)/m.exec(block)?.[1] ?? 0}:${core}`);
    }
    return cores.size > 0 ? cores.size : null;
  } catch {
    return null;
  }
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
