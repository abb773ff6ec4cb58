// A caching CPU allocator for libtorch (see cpu_allocator.cc).
#pragma once

#include <napi.h>

namespace histonuc {

// Installs the caching allocator as libtorch's CPU allocator, sized from HISTONUC_CPU_CACHE_MB
// (0 keeps libtorch's default allocator). Call before any tensor exists; later calls do nothing.
// Throws a JS error for a malformed HISTONUC_CPU_CACHE_MB.
void InstallCpuAllocator(Napi::Env env);

// cpuCacheStats() and emptyCpuCache().
void RegisterCpuAllocator(Napi::Env env, Napi::Object exports);

}  // namespace histonuc
