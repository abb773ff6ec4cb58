// Optimizer updates: one call updates every parameter, with the libtorch ops of PyTorch 1.13's
// single-tensor Adam and AdamW, in the same order, so that results agree bit for bit. (A fused
// one-pass loop was tried: it rounds differently from libtorch's vector kernels, and parameters whose
// gradient is pure rounding noise, such as a convolution bias before batch norm, then drift apart
// from PyTorch's within ten steps.)
#include <cmath>

#include "handle.h"

namespace histonuc {

namespace {

struct AdamHyper {
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupled;  // AdamW's weight decay; otherwise L2 added to the gradient, as torch.optim.Adam
};

// The update of one parameter, in torch.optim.Adam's order (any dtype, any device). The denominator is
// computed in place where PyTorch allocates a second temporary: the same kernels, the same values.
void AdamUpdate(at::Tensor& param, at::Tensor grad, at::Tensor& expAvg, at::Tensor& expAvgSq, double step,
                const AdamHyper& h) {
  if (h.weightDecay != 0) {
    if (h.decoupled) {
      param.mul_(1 - h.lr * h.weightDecay);
    } else {
      grad = grad.add(param, h.weightDecay);
    }
  }
  expAvg.mul_(h.beta1).add_(grad, 1 - h.beta1);
  expAvgSq.mul_(h.beta2).addcmul_(grad, grad, 1 - h.beta2);
  double biasCorrection1 = 1 - std::pow(h.beta1, step);
  double biasCorrection2 = 1 - std::pow(h.beta2, step);
  at::Tensor denom = expAvgSq.sqrt().div_(std::sqrt(biasCorrection2)).add_(h.eps);
  param.addcdiv_(expAvg, denom, -h.lr / biasCorrection1);
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  // hasGrads(params) → for each parameter, whether it has an accumulated gradient.
  Def(exports, "hasGrads", [](const Args& a) -> Napi::Value {
    std::vector<at::Tensor> params = a.Tensors(0);
    auto result = Napi::Array::New(a.Env(), params.size());
    for (size_t i = 0; i < params.size(); ++i) result.Set(static_cast<uint32_t>(i), params[i].grad().defined());
    return result;
  });

  // adamStep(params, expAvgs, expAvgSqs, steps, lr, beta1, beta2, eps, weightDecay, decoupled): updates
  // every parameter in place from its accumulated gradient; steps[i] is parameter i's 1-based count
  // after this update. Runs without recording autograd history.
  Def(exports, "adamStep", [](const Args& a) {
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> params = a.Tensors(0), expAvgs = a.Tensors(1), expAvgSqs = a.Tensors(2);
    std::vector<int64_t> steps = a.Ints(3);
    AdamHyper h{a.Number(4), a.Number(5), a.Number(6), a.Number(7), a.Number(8), a.Bool(9)};
    size_t n = params.size();
    if (expAvgs.size() != n || expAvgSqs.size() != n || steps.size() != n) {
      throw std::invalid_argument("adamStep needs as many moments and steps as parameters");
    }
    for (size_t i = 0; i < n; ++i) {
      at::Tensor grad = params[i].grad();
      if (!grad.defined()) throw std::invalid_argument("parameter " + std::to_string(i) + " has no gradient");
      for (const at::Tensor* t : {&grad, &expAvgs[i], &expAvgSqs[i]}) {
        if (!t->sizes().equals(params[i].sizes())) {
          throw std::invalid_argument("parameter " + std::to_string(i) + " has shape " + c10::str(params[i].sizes()) +
                                      " but its gradient or moment has shape " + c10::str(t->sizes()));
        }
      }
    }
    for (size_t i = 0; i < n; ++i) {
      AdamUpdate(params[i], params[i].grad(), expAvgs[i], expAvgSqs[i], static_cast<double>(steps[i]), h);
    }
  });
}

}  // namespace histonuc
