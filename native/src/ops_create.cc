// Tensor creation, copies in and out of JS memory, metadata, random numbers, devices and threads.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstring>

#include "handle.h"

namespace histonuc {

namespace {

const napi_type_tag kGeneratorTag = {0x6869'7374'6f6e'7563ULL, 0x6765'6e65'7261'0002ULL};

at::TensorOptions Options(const Args& args, size_t dtypeIndex, size_t deviceIndex) {
  return at::TensorOptions().dtype(args.Dtype(dtypeIndex)).device(args.Device(deviceIndex));
}

// A seeded generator passed at index i, or libtorch's default generator where the argument is absent.
c10::optional<at::Generator> OptionalGenerator(const Args& args, size_t i) {
  if (args.IsAbsent(i)) return c10::nullopt;
  Napi::Value value = args.Value(i);
  if (!value.IsExternal() || !value.As<Napi::External<at::Generator>>().CheckTypeTag(&kGeneratorTag)) {
    throw std::invalid_argument("argument " + std::to_string(i) + " is not a generator");
  }
  return *value.As<Napi::External<at::Generator>>().Data();
}

at::Generator& GeneratorArg(const Args& args, size_t i) {
  Napi::Value value = args.Value(i);
  if (!value.IsExternal() || !value.As<Napi::External<at::Generator>>().CheckTypeTag(&kGeneratorTag)) {
    throw std::invalid_argument("argument " + std::to_string(i) + " is not a generator");
  }
  return *value.As<Napi::External<at::Generator>>().Data();
}

at::Tensor ContiguousCpu(const at::Tensor& tensor) { return tensor.to(at::kCPU).contiguous(); }

}  // namespace

void RegisterCreate(Napi::Env env, Napi::Object exports) {
  // fromBuffer(typedArray, shape, dtype, device): copies the bytes into a new tensor.
  Def(exports, "fromBuffer", [](const Args& a) {
    auto [data, length] = a.TypedArrayBytes(0);
    at::Tensor tensor = at::empty(a.Ints(1), at::TensorOptions().dtype(a.Dtype(2)));
    size_t expected = tensor.nbytes();
    if (length != expected) {
      throw std::invalid_argument("buffer holds " + std::to_string(length) + " bytes but shape and dtype need " +
                                  std::to_string(expected));
    }
    if (expected != 0) std::memcpy(tensor.data_ptr(), data, expected);
    at::Device device = a.Device(3);
    return device.is_cpu() ? tensor : tensor.to(device);
  });
  // toBuffer(t): a new ArrayBuffer with the tensor's elements, row-major.
  Def(exports, "toBuffer", [](const Args& a) -> Napi::Value {
    at::Tensor tensor = ContiguousCpu(a.Tensor(0));
    auto buffer = Napi::ArrayBuffer::New(a.Env(), tensor.nbytes());
    if (tensor.nbytes() != 0) std::memcpy(buffer.Data(), tensor.data_ptr(), tensor.nbytes());
    return buffer;
  });
  Def(exports, "item", [](const Args& a) {
    const at::Tensor& t = a.Tensor(0);
    if (t.numel() != 1) throw std::invalid_argument("item() needs a tensor with one element, got " + std::to_string(t.numel()));
    return t.item<double>();
  });

  // ---- metadata ----
  Def(exports, "shape", [](const Args& a) -> Napi::Value {
    auto sizes = a.Tensor(0).sizes();
    auto array = Napi::Array::New(a.Env(), sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) array.Set(static_cast<uint32_t>(i), Napi::Number::New(a.Env(), static_cast<double>(sizes[i])));
    return array;
  });
  Def(exports, "dtype", [](const Args& a) { return DtypeName(a.Tensor(0).scalar_type()); });
  Def(exports, "device", [](const Args& a) { return DeviceName(a.Tensor(0).device()); });
  Def(exports, "isContiguous", [](const Args& a) {
    return a.Tensor(0).is_contiguous(a.Bool(1) ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
  });
  Def(exports, "sameStorage", [](const Args& a) { return a.Tensor(0).is_alias_of(a.Tensor(1)); });

  // ---- factories ----
  Def(exports, "zeros", [](const Args& a) { return at::zeros(a.Ints(0), Options(a, 1, 2)); });
  Def(exports, "ones", [](const Args& a) { return at::ones(a.Ints(0), Options(a, 1, 2)); });
  Def(exports, "full", [](const Args& a) { return at::full(a.Ints(0), a.Number(1), Options(a, 2, 3)); });
  Def(exports, "empty", [](const Args& a) { return at::empty(a.Ints(0), Options(a, 1, 2)); });
  Def(exports, "arange", [](const Args& a) { return at::arange(a.Number(0), a.Number(1), a.Number(2), Options(a, 3, 4)); });
  Def(exports, "linspace", [](const Args& a) { return at::linspace(a.Number(0), a.Number(1), a.Int(2), Options(a, 3, 4)); });

  // ---- conversions ----
  Def(exports, "toDtype", [](const Args& a) { return a.Tensor(0).to(a.Dtype(1)); });
  Def(exports, "toDevice", [](const Args& a) { return a.Tensor(0).to(a.Device(1)); });
  Def(exports, "clone", [](const Args& a) { return a.Tensor(0).clone(); });
  Def(exports, "copy_", [](const Args& a) { a.Tensor(0).copy_(a.Tensor(1)); });
  Def(exports, "fill_", [](const Args& a) { a.Tensor(0).fill_(a.Number(1)); });
  Def(exports, "zero_", [](const Args& a) { a.Tensor(0).zero_(); });

  // ---- random numbers ----
  Def(exports, "manualSeed", [](const Args& a) { at::manual_seed(static_cast<uint64_t>(a.Int(0))); });
  Def(exports, "createGenerator", [](const Args& a) -> Napi::Value {
    auto* generator = new at::Generator(at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(a.Int(0))));
    auto external = Napi::External<at::Generator>::New(a.Env(), generator, [](Napi::Env, at::Generator* g) { delete g; });
    external.TypeTag(&kGeneratorTag);
    return external;
  });
  // State of a generator (or of the default CPU generator when absent), as a uint8 tensor.
  Def(exports, "getRngState", [](const Args& a) {
    if (a.IsAbsent(0)) return at::detail::getDefaultCPUGenerator().get_state();
    return GeneratorArg(a, 0).get_state();
  });
  Def(exports, "setRngState", [](const Args& a) {
    at::Generator generator = a.IsAbsent(1) ? at::detail::getDefaultCPUGenerator() : GeneratorArg(a, 1);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(a.Tensor(0));
  });
  Def(exports, "rand", [](const Args& a) { return at::rand(a.Ints(0), OptionalGenerator(a, 3), Options(a, 1, 2)); });
  Def(exports, "randn", [](const Args& a) { return at::randn(a.Ints(0), OptionalGenerator(a, 3), Options(a, 1, 2)); });
  Def(exports, "randint", [](const Args& a) {
    return at::randint(a.Int(0), a.Int(1), a.Ints(2), OptionalGenerator(a, 5), Options(a, 3, 4));
  });
  Def(exports, "randperm", [](const Args& a) {
    return at::randperm(a.Int(0), OptionalGenerator(a, 1), at::TensorOptions().dtype(at::kLong));
  });
  Def(exports, "uniform_", [](const Args& a) { a.Tensor(0).uniform_(a.Number(1), a.Number(2), OptionalGenerator(a, 3)); });
  Def(exports, "normal_", [](const Args& a) { a.Tensor(0).normal_(a.Number(1), a.Number(2), OptionalGenerator(a, 3)); });

  // ---- threads and devices ----
  Def(exports, "setNumThreads", [](const Args& a) {
    int64_t n = a.Int(0);
    if (n < 1) throw std::invalid_argument("thread count must be at least 1, got " + std::to_string(n));
    at::set_num_threads(static_cast<int>(n));
  });
  Def(exports, "getNumThreads", [](const Args&) { return at::get_num_threads(); });
  Def(exports, "cudaDeviceCount", [](const Args&) { return static_cast<double>(torch::cuda::device_count()); });
  Def(exports, "cudaSynchronize", [](const Args&) {
    if (torch::cuda::is_available()) torch::cuda::synchronize();
  });
  Def(exports, "libtorchVersion", [](const Args&) { return std::string(TORCH_VERSION); });
}

}  // namespace histonuc
