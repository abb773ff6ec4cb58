#include "handle.h"

#include <c10/util/Exception.h>

#include <cmath>
#include <deque>
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

// A handle's id: a tag in the top 16 bits (so that a stray BigInt is not taken for a tensor), then
// the slot's generation and its index, 24 bits each. A slot's generation advances when its tensor is disposed,
// so old ids of a reused slot read as disposed (until the generation wraps, after 16 million reuses).
constexpr uint64_t kTag = 0x6874;  // "ht"
constexpr int kFieldBits = 24;
constexpr uint64_t kFieldMask = (uint64_t{1} << kFieldBits) - 1;

struct Slot {
  at::Tensor tensor;           // undefined while the slot is free
  uint64_t generation = 0;     // kFieldBits wide
  int64_t accountedBytes = 0;  // what was reported to V8 for this tensor
};

// The live tensors of one JS environment (the main thread or a worker), with a free list of slots.
// A deque keeps references to slots valid while the table grows.
class HandleTable {
 public:
  uint64_t Insert(at::Tensor tensor, int64_t accountedBytes) {
    uint64_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      if (slots_.size() > kFieldMask) {
        throw std::runtime_error("more than 16,777,216 live tensors: dispose tensors or use scope()");
      }
      index = slots_.size();
      slots_.emplace_back();
    }
    Slot& slot = slots_[index];
    slot.tensor = std::move(tensor);
    slot.accountedBytes = accountedBytes;
    return (kTag << 48) | (slot.generation << kFieldBits) | index;
  }

  // The live slot an id names; nullptr where its tensor was disposed.
  Slot* Find(uint64_t id) {
    uint64_t index = id & kFieldMask;
    if (index >= slots_.size()) return nullptr;
    Slot& slot = slots_[index];
    return slot.generation == ((id >> kFieldBits) & kFieldMask) && slot.tensor.defined() ? &slot : nullptr;
  }

  // Frees the slot of a live id (one Find returned a slot for); returns the bytes reported for it.
  int64_t Erase(uint64_t id) {
    Slot& slot = slots_[id & kFieldMask];
    int64_t accounted = slot.accountedBytes;
    slot.tensor.reset();
    slot.accountedBytes = 0;
    slot.generation = (slot.generation + 1) & kFieldMask;
    free_.push_back(static_cast<uint32_t>(id & kFieldMask));
    return accounted;
  }

  size_t Live() const { return slots_.size() - free_.size(); }

 private:
  std::deque<Slot> slots_;
  std::vector<uint32_t> free_;
};

// This thread's table: each JS environment runs on its own thread. Owned by the environment's
// instance data, which frees it (and the tensors still in it) when the environment shuts down.
thread_local HandleTable* tTable = nullptr;

HandleTable& Table() {
  if (tTable == nullptr) throw std::logic_error("histonuc's native addon was not initialised on this thread");
  return *tTable;
}

// What a JS value is as a tensor handle. The id is meaningful only for kind != kNotAHandle.
struct Decoded {
  enum Kind { kNotAHandle, kDisposed, kLive } kind;
  uint64_t id;
  Slot* slot;
};

Decoded Decode(napi_env env, napi_value value) {
  napi_valuetype type;
  uint64_t id = 0;
  bool lossless = false;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_bigint ||
      napi_get_value_bigint_uint64(env, value, &id, &lossless) != napi_ok || !lossless || (id >> 48) != kTag) {
    return {Decoded::kNotAHandle, 0, nullptr};
  }
  Slot* slot = Table().Find(id);
  return {slot == nullptr ? Decoded::kDisposed : Decoded::kLive, id, slot};
}

void FreeTable(Napi::Env, HandleTable* table) {
  if (tTable == table) tTable = nullptr;
  delete table;
}

void AdjustAccounting(napi_env env, int64_t bytes) {
  if (bytes != 0) Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
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
  int64_t accounted = HostBytes(tensor);
  uint64_t id = Table().Insert(std::move(tensor), accounted);
  AdjustAccounting(env, accounted);
  return Napi::BigInt::New(env, id);
}

Napi::Value WrapTensors(Napi::Env env, const std::vector<at::Tensor>& tensors) {
  auto array = Napi::Array::New(env, tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) array.Set(static_cast<uint32_t>(i), WrapTensor(env, tensors[i]));
  return array;
}

void RegisterHandles(Napi::Env env, Napi::Object exports) {
  auto* table = new HandleTable();
  tTable = table;
  env.SetInstanceData<HandleTable, FreeTable>(table);

  // dispose(t): drops the handle's reference to its tensor now; later use of the handle throws "was
  // disposed". Disposing twice is allowed (a FinalizationRegistry may run after an explicit dispose).
  Def(exports, "dispose", [](const Args& a) {
    Decoded handle = Decode(a.Env(), a.Value(0));
    if (handle.kind == Decoded::kNotAHandle) throw std::invalid_argument("argument 0 is not a tensor handle");
    if (handle.kind == Decoded::kLive) AdjustAccounting(a.Env(), -Table().Erase(handle.id));
  });
  Def(exports, "isDisposed", [](const Args& a) {
    Decoded handle = Decode(a.Env(), a.Value(0));
    if (handle.kind == Decoded::kNotAHandle) throw std::invalid_argument("argument 0 is not a tensor handle");
    return handle.kind == Decoded::kDisposed;
  });
  // liveTensors(): how many handles are live in this environment (for leak checks).
  Def(exports, "liveTensors", [](const Args&) { return static_cast<double>(Table().Live()); });
}

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
  Decoded handle = Decode(info_.Env(), info_[i]);
  if (handle.kind == Decoded::kLive) return handle.slot->tensor;
  Require(i, "a tensor");
  if (handle.kind == Decoded::kDisposed) {
    throw std::invalid_argument("argument " + std::to_string(i) + " is a tensor that was disposed");
  }
  throw std::invalid_argument("argument " + std::to_string(i) + " is not a tensor");
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
    Decoded handle = Decode(info_.Env(), array.Get(k));
    if (handle.kind != Decoded::kLive) {
      throw std::invalid_argument("element " + std::to_string(k) + " of argument " + std::to_string(i) +
                                  (handle.kind == Decoded::kDisposed ? " is a tensor that was disposed" : " is not a tensor"));
    }
    tensors.push_back(handle.slot->tensor);
  }
  return tensors;
}

at::Tensor Args::TensorOrScalar(size_t i) const {
  Require(i, "a tensor or a number");
  napi_valuetype type = info_[i].Type();
  if (type == napi_number || type == napi_boolean) {
    at::Scalar value = type == napi_number ? ScalarOf(info_[i].As<Napi::Number>().DoubleValue())
                                           : at::Scalar(info_[i].As<Napi::Boolean>().Value());
    at::Tensor wrapped = at::scalar_to_tensor(value);
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

std::pair<uint8_t*, size_t> Args::TypedArrayBytes(size_t i, std::optional<napi_typedarray_type> type,
                                                  const char* what) const {
  Require(i, what);
  if (!info_[i].IsTypedArray() || (type && info_[i].As<Napi::TypedArray>().TypedArrayType() != *type)) {
    throw std::invalid_argument("argument " + std::to_string(i) + " is not " + what);
  }
  auto typed = info_[i].As<Napi::TypedArray>();
  return {static_cast<uint8_t*>(typed.ArrayBuffer().Data()) + typed.ByteOffset(), typed.ByteLength()};
}

}  // namespace histonuc
