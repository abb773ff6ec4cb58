// A caching CPU allocator for libtorch.
//
// libtorch's default CPU allocator (posix_memalign/free) hands large blocks back to the kernel on
// free, so the next op's output is mapped afresh and page-faults on first touch, page by page. On
// virtual machines a fault is expensive (about 40 µs per 4 KiB page measured on the development VM:
// converting a 64×512×512 bfloat16 tensor to float32 spent 650 ms in faults and 30 ms computing).
// This allocator keeps freed blocks (≥ kMinCachedBytes = 32 KiB) in per-size-class free lists and hands
// them out again, as PyTorch's CUDA caching allocator does for device memory:
//  - sizes are rounded up to classes of 1/8 of their power of two (waste ≤ 12.5 %; from 16 MiB up the
//    classes are multiples of 2 MiB), so that the same shapes, and similar ones, share blocks;
//  - blocks of 2 MiB and more are mmap'ed 2 MiB-aligned and advised MADV_HUGEPAGE, so transparent huge pages back them
//    where the kernel allows it (THP in `madvise` mode): first touch then faults once per 2 MiB, and
//    fewer TLB misses follow (64 MiB: 715 ms → 18 ms first touch, 8 ms → 2 ms second pass here);
//  - cached bytes are capped (HISTONUC_CPU_CACHE_MB; default min(4 GiB, RAM/4)); past the cap the
//    least recently freed blocks are unmapped. The cache never holds more than the process already
//    had live at its peak, plus class rounding, so the cap only bounds pathological size mixes.
// Blocks under 32 KiB go to libtorch's default allocator (glibc's heap). The threshold is low because
// tensors of 32–256 KiB left in glibc's heap fragmented it: a small training loop's heap grew 30–50 MB
// more than with the default allocator until those sizes were cached here too.
//
// Every block this allocator hands out is a DataPtr whose context is its data pointer (so
// Allocator::raw_allocate works, which oneDNN's scratchpads use) and whose deleter is Free. Free, also
// returned by raw_deleter(), passes pointers it did not hand out (tensors from before installation,
// small blocks freed through raw_deleter) to the default allocator's deleter. The allocator is never
// destroyed, so tensors freed during process exit still find it.
#include "cpu_allocator.h"

#include <c10/core/CPUAllocator.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace histonuc {
namespace {

constexpr size_t kMinCachedBytes = size_t(32) << 10;
constexpr size_t kPageBytes = 4096;
constexpr size_t kHugePageBytes = size_t(2) << 20;

// The size class of a request of n ≥ kMinCachedBytes bytes: n rounded up to a multiple of 1/8 of its
// highest power of two (at least a page).
size_t SizeClass(size_t n) {
  int log2 = 63 - __builtin_clzll(n);
  size_t step = std::max(kPageBytes, size_t(1) << (log2 - 3));
  return (n + step - 1) / step * step;
}

// A fresh anonymous mapping of `bytes` (a multiple of the page size); nullptr when the kernel refuses.
// Blocks of 2 MiB and more are 2 MiB-aligned and advised MADV_HUGEPAGE so that transparent huge pages
// can back them.
void* MapBlock(size_t bytes) {
  if (bytes < kHugePageBytes) {
    void* block = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return block == MAP_FAILED ? nullptr : block;
  }
  size_t span = bytes + kHugePageBytes;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  if (aligned > start) munmap(raw, aligned - start);
  uintptr_t end = aligned + bytes;
  if (start + span > end) munmap(reinterpret_cast<void*>(end), start + span - end);
  void* block = reinterpret_cast<void*>(aligned);
  madvise(block, bytes, MADV_HUGEPAGE);  // advice only: ignore failure
  return block;
}

struct Stats {
  size_t cachedBytes = 0;     // in the free lists
  size_t allocatedBytes = 0;  // handed out by this allocator and not yet freed (size classes)
  uint64_t hits = 0;          // cacheable requests served from the free lists
  uint64_t misses = 0;        // cacheable requests that mapped a new block
};

class CachingCpuAllocator final : public c10::Allocator {
 public:
  CachingCpuAllocator(c10::Allocator* fallback, size_t capBytes) : fallback_(fallback), capBytes_(capBytes) {}

  c10::DataPtr allocate(size_t n) const override {
    if (n < kMinCachedBytes) return fallback_->allocate(n);
    size_t bytes = SizeClass(n);
    void* ptr = TakeCached(bytes);
    if (ptr == nullptr) {
      ptr = MapBlock(bytes);
      if (ptr == nullptr) {
        c10::profiledCPUMemoryReporter().OutOfMemory(n);
        TORCH_CHECK(false, "histonuc CPU allocator: out of memory mapping ", bytes, " bytes (", CachedBytes(),
                    " bytes cached; emptyCpuCache() returns them)");
      }
    }
    RecordLive(ptr, bytes);
    c10::profiledCPUMemoryReporter().New(ptr, n);
    return {ptr, ptr, &Free, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &Free; }

  Stats GetStats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }
  size_t CapBytes() const { return capBytes_; }

  // Unmaps every cached block.
  void Empty() const {
    std::vector<CachedBlock> released;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      released.assign(lru_.begin(), lru_.end());
      lru_.clear();
      freeLists_.clear();
      stats_.cachedBytes = 0;
    }
    for (const CachedBlock& block : released) munmap(block.ptr, block.bytes);
  }

  static void Free(void* ptr);

 private:
  struct CachedBlock {
    void* ptr;
    size_t bytes;
  };
  using LruIterator = std::list<CachedBlock>::iterator;

  size_t CachedBytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_.cachedBytes;
  }

  void* TakeCached(size_t bytes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto list = freeLists_.find(bytes);
    if (list == freeLists_.end() || list->second.empty()) {
      stats_.misses++;
      return nullptr;
    }
    LruIterator block = list->second.back();  // the most recently freed: likeliest still in CPU caches
    list->second.pop_back();
    void* ptr = block->ptr;
    lru_.erase(block);
    stats_.cachedBytes -= bytes;
    stats_.hits++;
    return ptr;
  }

  void RecordLive(void* ptr, size_t bytes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(ptr, bytes);
    stats_.allocatedBytes += bytes;
  }

  // Caches a freed block of ours, or unmaps it when it alone exceeds the cap; returns false for a
  // pointer this allocator did not hand out.
  bool Release(void* ptr) const {
    std::vector<CachedBlock> unmap;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto live = live_.find(ptr);
      if (live == live_.end()) return false;
      size_t bytes = live->second;
      live_.erase(live);
      stats_.allocatedBytes -= bytes;
      if (bytes > capBytes_) {
        unmap.push_back({ptr, bytes});
      } else {
        while (stats_.cachedBytes + bytes > capBytes_) unmap.push_back(EvictOldest());
        lru_.push_front({ptr, bytes});
        freeLists_[bytes].push_back(lru_.begin());
        stats_.cachedBytes += bytes;
      }
    }
    for (const CachedBlock& block : unmap) munmap(block.ptr, block.bytes);
    return true;
  }

  // Removes the least recently freed block from the cache (the caller holds the mutex and unmaps it).
  CachedBlock EvictOldest() const {
    LruIterator oldest = std::prev(lru_.end());
    CachedBlock block = *oldest;
    std::vector<LruIterator>& list = freeLists_[block.bytes];
    list.erase(std::find(list.begin(), list.end(), oldest));  // blocks of one class are freed in list order
    lru_.erase(oldest);
    stats_.cachedBytes -= block.bytes;
    return block;
  }

  c10::Allocator* const fallback_;
  const size_t capBytes_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, size_t> live_;  // block → size class, for blocks handed out
  mutable std::list<CachedBlock> lru_;              // cached blocks, most recently freed first
  mutable std::unordered_map<size_t, std::vector<LruIterator>> freeLists_;  // size class → cached blocks
  mutable Stats stats_;
};

CachingCpuAllocator* g_allocator = nullptr;  // installed once, never destroyed

void CachingCpuAllocator::Free(void* ptr) {
  if (ptr == nullptr) return;
  if (!g_allocator->Release(ptr)) g_allocator->fallback_->raw_deleter()(ptr);
}

// HISTONUC_CPU_CACHE_MB, or min(4 GiB, RAM/4): enough for a training step's transient tensors at 1024²,
// and leaves most of a small machine to the live tensors, which the cache does not limit.
size_t CapBytesFromEnvironment(Napi::Env env) {
  const char* text = std::getenv("HISTONUC_CPU_CACHE_MB");
  if (text == nullptr || *text == '\0') {
    size_t ram = size_t(sysconf(_SC_PHYS_PAGES)) * size_t(sysconf(_SC_PAGE_SIZE));
    return std::min(size_t(4) << 30, ram / 4);
  }
  std::string value(text);
  if (value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) {
    throw Napi::Error::New(env, "HISTONUC_CPU_CACHE_MB must be a whole number of MiB (0 disables the CPU cache), got '" +
                                    value + "'");
  }
  return size_t(std::stoull(value)) << 20;
}

// glibc's malloc serves the memory that is not a tensor's, above all V8's ArrayBuffers: the typed
// arrays of post-processing and exports (a 1000² image's 20 MB of probabilities copied out of libtorch,
// its 4 MB label map, the overlay, PNG buffers). By default glibc maps blocks over a threshold (128 KiB,
// raised as large blocks are freed, up to 32 MiB) afresh and unmaps them on free, and gives the free top
// of its heap back to the kernel beyond M_TRIM_THRESHOLD (twice that threshold). V8 frees an image's
// buffers when it collects garbage, typically during the next image's forward pass; what glibc had
// unmapped or trimmed by then comes back as fresh pages, each faulting on first touch (~40 µs per
// 4 KiB page on VMs). So, at load: blocks up to 32 MiB (glibc's largest threshold) come from the heap,
// and up to 128 MiB of free heap top is kept (the heap grows 16 MiB at a time). Freed memory is reused
// by the next image; resident memory stays at the peak the process reached plus at most 128 MiB
// (measured: the same peak RSS on a whole slide). bench/RESULTS.md "Predict end to end" has the effect.
// HISTONUC_MALLOC_TUNING=0 keeps glibc's defaults, as does GLIBC_TUNABLES with malloc settings.
bool MallocTuningFromEnvironment(Napi::Env env) {
  const char* text = std::getenv("HISTONUC_MALLOC_TUNING");
  std::string value(text == nullptr ? "" : text);
  if (value != "" && value != "0" && value != "1") {
    throw Napi::Error::New(env, "HISTONUC_MALLOC_TUNING must be 0 (glibc's malloc defaults) or 1, got '" + value + "'");
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  return value != "0" && (tunables == nullptr || std::string(tunables).find("glibc.malloc.") == std::string::npos);
}

void TuneMalloc() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
}

}  // namespace

void InstallCpuAllocator(Napi::Env env) {
  static std::once_flag installed;  // once per process, however many threads load the addon
  size_t capBytes = CapBytesFromEnvironment(env);
  bool tuneMalloc = MallocTuningFromEnvironment(env);
  std::call_once(installed, [capBytes, tuneMalloc] {
    if (tuneMalloc) TuneMalloc();
    if (capBytes == 0) return;
    g_allocator = new CachingCpuAllocator(c10::GetCPUAllocator(), capBytes);
    c10::SetCPUAllocator(g_allocator);
  });
}

void RegisterCpuAllocator(Napi::Env env, Napi::Object exports) {
  // cpuCacheStats(): {cachedBytes, allocatedBytes, hits, misses, capBytes}; all 0 when the cache is off.
  exports.Set("cpuCacheStats", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                Napi::Env env = info.Env();
                Stats stats = g_allocator != nullptr ? g_allocator->GetStats() : Stats{};
                Napi::Object result = Napi::Object::New(env);
                result.Set("cachedBytes", double(stats.cachedBytes));
                result.Set("allocatedBytes", double(stats.allocatedBytes));
                result.Set("hits", double(stats.hits));
                result.Set("misses", double(stats.misses));
                result.Set("capBytes", double(g_allocator != nullptr ? g_allocator->CapBytes() : 0));
                return result;
              }));
  // emptyCpuCache(): unmaps every cached block (live tensors keep theirs).
  exports.Set("emptyCpuCache", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                if (g_allocator != nullptr) g_allocator->Empty();
                return info.Env().Undefined();
              }));
}

}  // namespace histonuc
