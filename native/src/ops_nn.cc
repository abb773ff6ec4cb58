// Neural-network ops: convolutions, normalisation, activations, pooling, resampling, losses.
#include <ATen/Parallel.h>
#include <cstring>
#include <torch/csrc/autograd/custom_function.h>

#include "handle.h"

namespace histonuc {

namespace {

at::Reduction::Reduction ParseReduction(const std::string& name) {
  if (name == "mean") return at::Reduction::Mean;
  if (name == "sum") return at::Reduction::Sum;
  if (name == "none") return at::Reduction::None;
  throw std::invalid_argument("unknown reduction '" + name + "' (expected mean, sum or none)");
}

at::Tensor Reduce(const at::Tensor& values, at::Reduction::Reduction reduction) {
  if (reduction == at::Reduction::Mean) return values.mean();
  if (reduction == at::Reduction::Sum) return values.sum();
  return values;
}

int64_t GridSampleMode(const std::string& name) {
  if (name == "bilinear") return 0;
  if (name == "nearest") return 1;
  if (name == "bicubic") return 2;
  throw std::invalid_argument("unknown grid_sample mode '" + name + "' (expected bilinear, nearest or bicubic)");
}

int64_t GridSamplePadding(const std::string& name) {
  if (name == "zeros") return 0;
  if (name == "border") return 1;
  if (name == "reflection") return 2;
  throw std::invalid_argument("unknown grid_sample padding '" + name + "' (expected zeros, border or reflection)");
}

// Σ (a − b)² over n elements, in float32 per block of 4096 (16 independent lanes, which the compiler
// vectorises) and in double across blocks and threads.
template <typename T>
double SquaredDifferenceSum(const T* a, const T* b, int64_t n) {
  constexpr int64_t kBlock = 4096;
  return at::parallel_reduce(0, (n + kBlock - 1) / kBlock, 16, 0.0, [&](int64_t first, int64_t last, double total) {
    for (int64_t block = first; block < last; block++) {
      const int64_t begin = block * kBlock, end = std::min(n, begin + kBlock);
      float lanes[16] = {};
      int64_t i = begin;
      for (; i + 16 <= end; i += 16) {
        for (int k = 0; k < 16; k++) {
          float d = static_cast<float>(a[i + k]) - static_cast<float>(b[i + k]);
          lanes[k] += d * d;
        }
      }
      for (; i < end; i++) {
        float d = static_cast<float>(a[i]) - static_cast<float>(b[i]);
        lanes[0] += d * d;
      }
      for (float lane : lanes) total += lane;
    }
    return total;
  }, std::plus<double>());
}

// A float rounded to T; to bfloat16 by round-to-nearest-even on the bits, a loop the compiler
// vectorises (the values here are finite: the loss is checked before the backward pass).
template <typename T>
inline T RoundTo(float value) {
  if constexpr (std::is_same_v<T, c10::BFloat16>) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    bits += 0x7FFF + ((bits >> 16) & 1);
    return c10::BFloat16(static_cast<uint16_t>(bits >> 16), c10::BFloat16::from_bits());
  } else {
    return static_cast<T>(value);
  }
}

// mean((a − b)²) as a float32 scalar, for float32 or bfloat16 a and b of the same dtype and layout,
// read once without converted copies; differentiable in a only (gradient 2(a − b)/n, in a's dtype).
struct MeanSquaredError : public torch::autograd::Function<MeanSquaredError> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& input, const at::Tensor& target) {
    if (input.sizes() != target.sizes() || input.scalar_type() != target.scalar_type()) {
      throw std::invalid_argument("meanSquaredError: the two tensors differ in shape or dtype");
    }
    at::MemoryFormat format = input.suggest_memory_format();
    at::Tensor a = input.contiguous(format), b = target.contiguous(format);
    ctx->save_for_backward({a, b});
    double sum = 0;
    AT_DISPATCH_FLOATING_TYPES_AND(at::kBFloat16, a.scalar_type(), "meanSquaredError", [&] {
      sum = SquaredDifferenceSum(a.data_ptr<scalar_t>(), b.data_ptr<scalar_t>(), a.numel());
    });
    return at::scalar_tensor(sum / static_cast<double>(a.numel()), a.options().dtype(at::kFloat));
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& a = saved[0];
    const at::Tensor& b = saved[1];
    const float scale = 2.0f * grads[0].item<float>() / static_cast<float>(a.numel());
    at::Tensor gradient = at::empty_like(a);
    AT_DISPATCH_FLOATING_TYPES_AND(at::kBFloat16, a.scalar_type(), "meanSquaredErrorBackward", [&] {
      const scalar_t* pa = a.data_ptr<scalar_t>();
      const scalar_t* pb = b.data_ptr<scalar_t>();
      scalar_t* out = gradient.data_ptr<scalar_t>();
      at::parallel_for(0, a.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) out[i] = RoundTo<scalar_t>(scale * (static_cast<float>(pa[i]) - static_cast<float>(pb[i])));
      });
    });
    return {gradient, at::Tensor()};
  }
};

}  // namespace

void RegisterNn(Napi::Env env, Napi::Object exports) {
  // conv2d(x, weight, bias?, stride[2], padding[2], dilation[2], groups)
  Def(exports, "conv2d", [](const Args& a) {
    return at::conv2d(a.Tensor(0), a.Tensor(1), a.OptionalTensor(2), a.Ints(3), a.Ints(4), a.Ints(5), a.Int(6));
  });
  // convTranspose2d(x, weight, bias?, stride[2], padding[2], outputPadding[2], groups, dilation[2])
  Def(exports, "convTranspose2d", [](const Args& a) {
    return at::conv_transpose2d(a.Tensor(0), a.Tensor(1), a.OptionalTensor(2), a.Ints(3), a.Ints(4), a.Ints(5),
                                a.Int(6), a.Ints(7));
  });
  // batchNorm(x, weight?, bias?, runningMean?, runningVar?, training, momentum, eps); in training mode
  // the running statistics are updated in place, as in PyTorch.
  Def(exports, "batchNorm", [](const Args& a) {
    return at::batch_norm(a.Tensor(0), a.OptionalTensor(1), a.OptionalTensor(2), a.OptionalTensor(3),
                          a.OptionalTensor(4), a.Bool(5), a.Number(6), a.Number(7), at::globalContext().userEnabledCuDNN());
  });
  Def(exports, "linear", [](const Args& a) { return at::linear(a.Tensor(0), a.Tensor(1), a.OptionalTensor(2)); });

  Def(exports, "relu", [](const Args& a) { return at::relu(a.Tensor(0)); });
  Def(exports, "relu_", [](const Args& a) { a.Tensor(0).relu_(); });
  Def(exports, "sigmoid", [](const Args& a) { return at::sigmoid(a.Tensor(0)); });
  Def(exports, "tanh", [](const Args& a) { return at::tanh(a.Tensor(0)); });
  Def(exports, "softmax", [](const Args& a) { return at::softmax(a.Tensor(0), a.Int(1)); });
  Def(exports, "logSoftmax", [](const Args& a) { return at::log_softmax(a.Tensor(0), a.Int(1)); });

  // maxPool2d(x, kernel[2], stride[2], padding[2], dilation[2], ceilMode)
  Def(exports, "maxPool2d", [](const Args& a) {
    return at::max_pool2d(a.Tensor(0), a.Ints(1), a.Ints(2), a.Ints(3), a.Ints(4), a.Bool(5));
  });
  // avgPool2d(x, kernel[2], stride[2], padding[2], ceilMode, countIncludePad)
  Def(exports, "avgPool2d", [](const Args& a) {
    return at::avg_pool2d(a.Tensor(0), a.Ints(1), a.Ints(2), a.Ints(3), a.Bool(4), a.Bool(5));
  });
  Def(exports, "adaptiveAvgPool2d", [](const Args& a) { return at::adaptive_avg_pool2d(a.Tensor(0), a.Ints(1)); });

  // dropout(x, p, training) and the channel-wise dropout2d(x, p, training)
  Def(exports, "dropout", [](const Args& a) { return at::dropout(a.Tensor(0), a.Number(1), a.Bool(2)); });
  Def(exports, "dropout2d", [](const Args& a) { return at::feature_dropout(a.Tensor(0), a.Number(1), a.Bool(2)); });

  // interpolate(x, size[2], mode, alignCorners)
  Def(exports, "interpolate", [](const Args& a) {
    std::string mode = a.String(2);
    if (mode == "nearest") return at::upsample_nearest2d(a.Tensor(0), a.Ints(1));
    if (mode == "bilinear") return at::upsample_bilinear2d(a.Tensor(0), a.Ints(1), a.Bool(3));
    throw std::invalid_argument("unknown interpolation mode '" + mode + "' (expected nearest or bilinear)");
  });
  // gridSample(x, grid, mode, paddingMode, alignCorners)
  Def(exports, "gridSample", [](const Args& a) {
    return at::grid_sampler(a.Tensor(0), a.Tensor(1), GridSampleMode(a.String(2)), GridSamplePadding(a.String(3)),
                            a.Bool(4));
  });
  // pad(x, pads[2k] (last dimension first, as PyTorch), mode, value)
  Def(exports, "pad", [](const Args& a) {
    std::string mode = a.String(2);
    std::vector<int64_t> pads = a.Ints(1);
    if (mode == "constant") return at::constant_pad_nd(a.Tensor(0), pads, a.Number(3));
    if (mode == "reflect") return at::reflection_pad2d(a.Tensor(0), pads);
    if (mode == "replicate") return at::replication_pad2d(a.Tensor(0), pads);
    throw std::invalid_argument("unknown pad mode '" + mode + "' (expected constant, reflect or replicate)");
  });
  Def(exports, "pixelShuffle", [](const Args& a) { return at::pixel_shuffle(a.Tensor(0), a.Int(1)); });

  // nllLoss(logProbs N×C×…, target N×… int64, weight? N×… per element, reduction): the per-element
  // negative log-likelihood times the weight, then the mean over all elements or the sum.
  Def(exports, "nllLoss", [](const Args& a) {
    auto reduction = ParseReduction(a.String(3));
    at::Tensor losses = at::nll_loss_nd(a.Tensor(0), a.Tensor(1), {}, at::Reduction::None, -100);
    c10::optional<at::Tensor> weight = a.OptionalTensor(2);
    if (weight) losses = losses * *weight;
    return Reduce(losses, reduction);
  });
  Def(exports, "mseLoss", [](const Args& a) { return at::mse_loss(a.Tensor(0), a.Tensor(1), ParseReduction(a.String(2))); });
  // meanSquaredError(input, target): see MeanSquaredError
  Def(exports, "meanSquaredError", [](const Args& a) { return MeanSquaredError::apply(a.Tensor(0), a.Tensor(1)); });
  Def(exports, "oneHot", [](const Args& a) { return at::one_hot(a.Tensor(0), a.Int(1)); });
}

}  // namespace histonuc
