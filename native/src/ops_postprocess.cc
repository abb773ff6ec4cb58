// The two per-pixel passes of post-processing (REFERENCE_SPEC §10.4) over a C×H×W class-probability
// map, written straight into memory the caller owns: copying the 20 MB map of a 1000² image out to
// JS costs more than everything else post-processing does (each fresh page is a fault, ~40 µs on VMs).
#include <cmath>

#include "handle.h"

namespace histonuc {

namespace {

// Pixels handled together: the running maxima of a block stay in L1 while the planes stream by.
constexpr int64_t kBlock = 2048;

at::Tensor ContiguousFloatMap(const at::Tensor& map, const char* op) {
  if (map.dim() != 3) throw std::invalid_argument(std::string(op) + ": expected a C×H×W map, got " + std::to_string(map.dim()) + " dimensions");
  return map.to(at::kCPU, at::kFloat).contiguous();
}

// A typed-array argument of `type` with exactly `length` elements of T.
template <typename T>
T* ArrayOfLength(const Args& a, size_t i, napi_typedarray_type type, int64_t length, const char* what) {
  auto [data, bytes] = a.TypedArrayBytes(i, type, what);
  if (bytes != static_cast<size_t>(length) * sizeof(T)) {
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(bytes / sizeof(T)) + " elements, expected " + std::to_string(length));
  }
  return reinterpret_cast<T*>(data);
}

// As torch.argmax over dim 0: ties go to the lower channel and NaN counts as the largest value.
void ChannelArgmax(const at::Tensor& map, uint8_t* out) {
  const int64_t channels = map.size(0);
  const int64_t plane = map.size(1) * map.size(2);
  const float* data = map.data_ptr<float>();
  float best[kBlock];
  for (int64_t start = 0; start < plane; start += kBlock) {
    const int64_t n = std::min(kBlock, plane - start);
    const float* first = data + start;
    for (int64_t i = 0; i < n; ++i) {
      best[i] = first[i];
      out[start + i] = 0;
    }
    for (int64_t c = 1; c < channels; ++c) {
      const float* values = data + c * plane + start;
      for (int64_t i = 0; i < n; ++i) {
        const float v = values[i];
        if (v > best[i] || (std::isnan(v) && !std::isnan(best[i]))) {
          best[i] = v;
          out[start + i] = static_cast<uint8_t>(c);
        }
      }
    }
  }
}

}  // namespace

void RegisterPostprocess(Napi::Env env, Napi::Object exports) {
  // channelArgmax(map, out: Uint8Array of H·W): the per-pixel argmax over the channels.
  Def(exports, "channelArgmax", [](const Args& a) {
    at::Tensor map = ContiguousFloatMap(a.Tensor(0), "channelArgmax");
    if (map.size(0) > 255) throw std::invalid_argument("channelArgmax: at most 255 channels");
    ChannelArgmax(map, ArrayOfLength<uint8_t>(a, 1, napi_uint8_array, map.size(1) * map.size(2), "a Uint8Array"));
  });
  // sumsByLabel(map, first, count, labels: Int32Array of H·W, largest) → Float64Array of
  // (largest + 1)·(count + 1): per label id 0..largest, its pixel count, then the sums of channels
  // first..first+count−1 over its pixels.
  Def(exports, "sumsByLabel", [](const Args& a) -> Napi::Value {
    at::Tensor map = ContiguousFloatMap(a.Tensor(0), "sumsByLabel");
    const int64_t first = a.Int(1);
    const int64_t count = a.Int(2);
    if (first < 0 || count < 1 || first + count > map.size(0)) throw std::invalid_argument("sumsByLabel: channels out of range");
    const int64_t plane = map.size(1) * map.size(2);
    const int32_t* labels = ArrayOfLength<int32_t>(a, 3, napi_int32_array, plane, "an Int32Array");
    const int64_t largest = a.Int(4);
    if (largest < 0) throw std::invalid_argument("sumsByLabel: largest must be ≥ 0");
    const int64_t stride = count + 1;
    auto sums = Napi::Float64Array::New(a.Env(), static_cast<size_t>((largest + 1) * stride));
    double* out = sums.Data();
    std::fill(out, out + (largest + 1) * stride, 0.0);
    const float* values = map.data_ptr<float>() + first * plane;
    for (int64_t i = 0; i < plane; ++i) {
      const int32_t id = labels[i];
      if (id == 0) continue;
      if (id < 0 || id > largest) throw std::invalid_argument("sumsByLabel: label " + std::to_string(id) + " outside 0.." + std::to_string(largest));
      double* row = out + id * stride;
      row[0] += 1;
      for (int64_t c = 0; c < count; ++c) row[c + 1] += values[c * plane + i];
    }
    return sums;
  });
}

}  // namespace histonuc
