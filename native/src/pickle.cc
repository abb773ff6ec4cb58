// Import of PyTorch state dicts saved with torch.save (the zip format), through libtorch's unpickler.
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <iterator>

#include "handle.h"

namespace histonuc {

namespace {

std::vector<char> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open '" + path + "'");
  return std::vector<char>(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

}  // namespace

void RegisterPickle(Napi::Env env, Napi::Object exports) {
  // loadStateDict(path) → [[name, tensor], ...] in the file's order.
  Def(exports, "loadStateDict", [](const Args& a) -> Napi::Value {
    std::string path = a.String(0);
    c10::IValue value;
    try {
      value = torch::jit::pickle_load(ReadFile(path));
    } catch (const c10::Error& e) {
      throw std::runtime_error("'" + path + "' is not a PyTorch checkpoint that libtorch can read: " +
                               e.what_without_backtrace());
    }
    if (!value.isGenericDict()) {
      throw std::runtime_error("'" + path + "' holds a " + value.tagKind() + ", not a state dict (a dict of tensors)");
    }
    auto entries = Napi::Array::New(a.Env());
    uint32_t index = 0;
    for (const auto& entry : value.toGenericDict()) {
      if (!entry.key().isString() || !entry.value().isTensor()) continue;  // e.g. _metadata
      auto pair = Napi::Array::New(a.Env(), 2);
      pair.Set(0u, Napi::String::New(a.Env(), entry.key().toStringRef()));
      pair.Set(1u, WrapTensor(a.Env(), entry.value().toTensor()));
      entries.Set(index++, pair);
    }
    return entries;
  });
}

}  // namespace histonuc
