// Neural-network ops: convolutions, normalisation, activations, pooling, resampling, losses.
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
  Def(exports, "oneHot", [](const Args& a) { return at::one_hot(a.Tensor(0), a.Int(1)); });
}

}  // namespace histonuc
