// Tensor handles and argument conversion shared by every op file.
//
// A tensor crosses into JavaScript as a BigInt: an id (tag, slot index, generation) into this thread's
// handle table, which holds one reference to libtorch's refcounted tensor per live handle. A BigInt
// costs V8 nothing beyond its allocation, where a napi External carries a weak reference that every
// garbage collection must process. dispose() drops the table's reference and retires the id, so a
// stale handle is recognised as disposed. The TypeScript layer frees tensors deterministically
// (scopes, dispose) and hands only tensors that outlive every scope to a FinalizationRegistry, which
// disposes them once unreachable. Host memory of large tensors is reported to V8 so that its
// collector sees it.
#pragma once

#include <ATen/ATen.h>
#include <napi.h>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace histonuc {

// ---- conversions between names and libtorch types -------------------------------------------------

at::ScalarType ParseDtype(const std::string& name);
at::Scalar ScalarOf(double value);
std::string DtypeName(at::ScalarType type);
at::Device ParseDevice(const std::string& name);
std::string DeviceName(const at::Device& device);

// ---- handles -----------------------------------------------------------------------------------------

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor);
Napi::Value WrapTensors(Napi::Env env, const std::vector<at::Tensor>& tensors);

// Typed access to the arguments of a call, with messages that name the argument at fault.
class Args {
 public:
  explicit Args(const Napi::CallbackInfo& info) : info_(info) {}
  Napi::Env Env() const { return info_.Env(); }
  size_t Length() const { return info_.Length(); }
  bool IsAbsent(size_t i) const { return i >= info_.Length() || info_[i].IsUndefined() || info_[i].IsNull(); }

  const at::Tensor& Tensor(size_t i) const;
  c10::optional<at::Tensor> OptionalTensor(size_t i) const;
  std::vector<at::Tensor> Tensors(size_t i) const;
  // A tensor, or a JS number turned into a "wrapped number" tensor so that type promotion follows
  // PyTorch's rules for Python scalars.
  at::Tensor TensorOrScalar(size_t i) const;
  double Number(size_t i) const;
  int64_t Int(size_t i) const;
  bool Bool(size_t i) const;
  std::string String(size_t i) const;
  std::vector<int64_t> Ints(size_t i) const;
  c10::optional<double> OptionalNumber(size_t i) const;
  at::ScalarType Dtype(size_t i) const { return ParseDtype(String(i)); }
  at::Device Device(size_t i) const { return ParseDevice(String(i)); }
  Napi::Value Value(size_t i) const { return info_[i]; }
  // The memory of a typed-array argument (pointer, byte length); with `type`, the array must be of
  // that kind, which `what` names in the error.
  std::pair<uint8_t*, size_t> TypedArrayBytes(size_t i, std::optional<napi_typedarray_type> type = std::nullopt,
                                              const char* what = "a typed array") const;

 private:
  void Require(size_t i, const char* what) const;
  const Napi::CallbackInfo& info_;
};

// ---- function registration ---------------------------------------------------------------------------

template <typename R>
Napi::Value ToJs(Napi::Env env, R&& result) {
  using T = std::decay_t<R>;
  if constexpr (std::is_same_v<T, at::Tensor>) {
    return WrapTensor(env, std::forward<R>(result));
  } else if constexpr (std::is_same_v<T, std::vector<at::Tensor>>) {
    return WrapTensors(env, result);
  } else if constexpr (std::is_same_v<T, bool>) {
    return Napi::Boolean::New(env, result);
  } else if constexpr (std::is_arithmetic_v<T>) {
    return Napi::Number::New(env, static_cast<double>(result));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return Napi::String::New(env, result);
  } else {
    static_assert(std::is_base_of_v<Napi::Value, T>, "unsupported return type");
    return result;
  }
}

// Every libtorch failure becomes a JS Error carrying libtorch's message (without its C++ backtrace).
Napi::Value ThrowAsJs(Napi::Env env, const char* name);

// Registers fn(Args) under exports[name]: converts its result and turns C++ exceptions into JS ones.
template <typename F>
void Def(Napi::Object exports, const char* name, F fn) {
  auto wrapped = [fn, name](const Napi::CallbackInfo& info) -> Napi::Value {
    try {
      Args args(info);
      if constexpr (std::is_void_v<std::invoke_result_t<F, const Args&>>) {
        fn(args);
        return info.Env().Undefined();
      } else {
        return ToJs(info.Env(), fn(args));
      }
    } catch (...) {
      return ThrowAsJs(info.Env(), name);
    }
  };
  exports.Set(name, Napi::Function::New(exports.Env(), wrapped, name));
}

// Each file registers its functions here (handle.cc: dispose, isDisposed, liveTensors; it must come
// before the op files, as it sets up this thread's handle table).
void RegisterHandles(Napi::Env env, Napi::Object exports);
void RegisterCreate(Napi::Env env, Napi::Object exports);
void RegisterNn(Napi::Env env, Napi::Object exports);
void RegisterMath(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);

}  // namespace histonuc
