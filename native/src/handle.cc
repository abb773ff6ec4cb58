#include "handle.h"

#include <c10/util/Exception.h>

#include <cmath>
#include <unordered_map>

namespace histonuc {

namespace {

// Tensors smaller than this are not reported to V8: they cannot matter to its collector, and the
// report costs as much as a small op.
constexpr int64_t kAccountingThreshold = 64 * 1024;

const std::unordered_map<std::string, at::ScalarType>& DtypesByName() {
  static const std::unordered_map<std::string, at::ScalarType> names = {
      {"float32", at::kFloat}, {"float16", at::kHalf}, {"bfloat16", at::kBFloat16},
      {"float64", at::kDouble}, {"int64", at::kLong}, {"int32", at::kInt},
      {"uint8", at::kByte},     {"bool", at::kBool},
  };
  return names;
}

// Host memory held by a tensor's storage, as reported to V8 (device memory is not V8's business).
int64_t HostBytes(const at::Tensor& tensor) {
  if (!tensor.defined() || !tensor.has_storage() || !tensor.device().is_cpu()) return 0;
  auto bytes = static_cast<int64_t>(tensor.storage().nbytes());
  return bytes >= kAccountingThreshold ? bytes : 0;
}

void Release(Napi::Env env, Handle* handle) {
  if (handle->accountedBytes != 0) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -handle->accountedBytes);
    handle->accountedBytes = 0;
  }
  handle->tensor.reset();
}

// Externals reach this addon only from histonuc's own TypeScript layer; the magic number guards
// against a generator handle or a stale object being passed where a tensor belongs.
Handle* GetHandle(Napi::Value value) {
  if (!value.IsExternal()) return nullptr;
  auto* handle = value.As<Napi::External<Handle>>().Data();
  return handle != nullptr && handle->magic == Handle::kMagic ? handle : nullptr;
}

}  // namespace

at::Scalar ScalarOf(double value) {
  // JS has one number type: integral values act as Python ints (keeping integer tensors integral),
  // others as Python floats.
  if (std::nearbyint(value) == value && std::abs(value) < 9.007199254740992e15) return at::Scalar(static_cast<int64_t>(value));
  return at::Scalar(value);
}

at::ScalarType ParseDtype(const std::string& name) {
  auto it = DtypesByName().find(name);
  if (it == DtypesByName().end()) {
    throw std::invalid_argument("unknown dtype '" + name +
                                "' (expected float32, float16, bfloat16, float64, int64, int32, uint8 or bool)");
  }
  return it->second;
}

std::string DtypeName(at::ScalarType type) {
  for (const auto& [name, value] : DtypesByName()) {
    if (value == type) return name;
  }
  throw std::invalid_argument(std::string("dtype ") + c10::toString(type) + " is not supported by histonuc");
}

at::Device ParseDevice(const std::string& name) {
  if (name != "cpu" && name != "cuda" && name.rfind("cuda:", 0) != 0) {
    throw std::invalid_argument("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
  }
  return at::Device(name);
}

std::string DeviceName(const at::Device& device) { return device.str(); }

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  auto* handle = new Handle{Handle::kMagic, std::move(tensor), 0};
  handle->accountedBytes = HostBytes(handle->tensor);
  if (handle->accountedBytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, handle->accountedBytes);
  return Napi::External<Handle>::New(env, handle, [](Napi::Env env, Handle* data) {
    Release(env, data);
    data->magic = 0;
    delete data;
  });
}

Napi::Value WrapTensors(Napi::Env env, const std::vector<at::Tensor>& tensors) {
  auto array = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) array.Set(static_cast<uint32_t>(i), WrapTensor(env, tensors[i]));
  return array;
}

void DisposeHandle(Napi::Env env, Napi::Value value) {
  Handle* handle = GetHandle(value);
  if (handle == nullptr) throw std::invalid_argument("dispose: argument is not a tensor handle");
  Release(env, handle);
}

bool IsTensorHandle(Napi::Value value) { return GetHandle(value) != nullptr; }

Napi::Value ThrowAsJs(Napi::Env env, const char* name) {
  std::string message;
  try {
    throw;
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    message = e.what_without_backtrace();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "unknown native error";
  }
  throw Napi::Error::New(env, std::string(name) + ": " + message);
}

// ---- Args ------------------------------------------------------------------------------------------------

void Args::Require(size_t i, const char* what) const {
  if (i >= info_.Length() || info_[i].IsUndefined()) {
    throw std::invalid_argument("argument " + std::to_string(i) + " is missing (expected " + what + ")");
  }
}

const at::Tensor& Args::Tensor(size_t i) const {
  Require(i, "a tensor");
  Handle* handle = GetHandle(info_[i]);
  if (handle == nullptr) throw std::invalid_argument("argument " + std::to_string(i) + " is not a tensor");
  if (!handle->tensor.defined()) {
    throw std::invalid_argument("argument " + std::to_string(i) + " is a tensor that was disposed");
  }
  return handle->tensor;
}

c10::optional<at::Tensor> Args::OptionalTensor(size_t i) const {
  if (IsAbsent(i)) return c10::nullopt;
  return Tensor(i);
}

std::vector<at::Tensor> Args::Tensors(size_t i) const {
  Require(i, "an array of tensors");
  if (!info_[i].IsArray()) throw std::invalid_argument("argument " + std::to_string(i) + " is not an array of tensors");
  auto array = info_[i].As<Napi::Array>();
  std::vector<at::Tensor> tensors;
  tensors.reserve(array.Length());
  for (uint32_t k = 0; k < array.Length(); ++k) {
    Handle* handle = GetHandle(array.Get(k));
    if (handle == nullptr || !handle->tensor.defined()) {
      throw std::invalid_argument("element " + std::to_string(k) + " of argument " + std::to_string(i) +
                                  " is not a live tensor");
    }
    tensors.push_back(handle->tensor);
  }
  return tensors;
}

at::Tensor Args::TensorOrScalar(size_t i) const {
  Require(i, "a tensor or a number");
  if (info_[i].IsNumber()) {
    at::Tensor wrapped = at::scalar_to_tensor(ScalarOf(info_[i].As<Napi::Number>().DoubleValue()));
    wrapped.unsafeGetTensorImpl()->set_wrapped_number(true);
    return wrapped;
  }
  if (info_[i].IsBoolean()) {
    at::Tensor wrapped = at::scalar_to_tensor(at::Scalar(info_[i].As<Napi::Boolean>().Value()));
    wrapped.unsafeGetTensorImpl()->set_wrapped_number(true);
    return wrapped;
  }
  return Tensor(i);
}

double Args::Number(size_t i) const {
  Require(i, "a number");
  if (!info_[i].IsNumber()) throw std::invalid_argument("argument " + std::to_string(i) + " is not a number");
  return info_[i].As<Napi::Number>().DoubleValue();
}

c10::optional<double> Args::OptionalNumber(size_t i) const {
  if (IsAbsent(i)) return c10::nullopt;
  return Number(i);
}

int64_t Args::Int(size_t i) const {
  double value = Number(i);
  if (value != static_cast<double>(static_cast<int64_t>(value))) {
    throw std::invalid_argument("argument " + std::to_string(i) + " is not an integer: " + std::to_string(value));
  }
  return static_cast<int64_t>(value);
}

bool Args::Bool(size_t i) const {
  Require(i, "a boolean");
  if (!info_[i].IsBoolean()) throw std::invalid_argument("argument " + std::to_string(i) + " is not a boolean");
  return info_[i].As<Napi::Boolean>().Value();
}

std::string Args::String(size_t i) const {
  Require(i, "a string");
  if (!info_[i].IsString()) throw std::invalid_argument("argument " + std::to_string(i) + " is not a string");
  return info_[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> Args::Ints(size_t i) const {
  Require(i, "an array of integers");
  if (!info_[i].IsArray()) throw std::invalid_argument("argument " + std::to_string(i) + " is not an array of integers");
  auto array = info_[i].As<Napi::Array>();
  std::vector<int64_t> values(array.Length());
  for (uint32_t k = 0; k < array.Length(); ++k) {
    Napi::Value item = array.Get(k);
    double value = item.IsNumber() ? item.As<Napi::Number>().DoubleValue() : 0.5;
    if (value != static_cast<double>(static_cast<int64_t>(value))) {
      throw std::invalid_argument("element " + std::to_string(k) + " of argument " + std::to_string(i) +
                                  " is not an integer");
    }
    values[k] = static_cast<int64_t>(value);
  }
  return values;
}

}  // namespace histonuc
