// Optimizer updates, one call per parameter, following PyTorch 1.13's single-tensor Adam and AdamW.
#include <cmath>

#include "handle.h"

namespace histonuc {

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  // adamStep(param, grad, expAvg, expAvgSq, step, lr, beta1, beta2, eps, weightDecay, decoupled):
  // step is the 1-based count after this update. decoupled = AdamW's weight decay; otherwise L2 added
  // to the gradient, as torch.optim.Adam does. Runs without recording autograd history.
  Def(exports, "adamStep", [](const Args& a) {
    at::NoGradGuard noGrad;
    at::Tensor param = a.Tensor(0);
    at::Tensor grad = a.Tensor(1);
    at::Tensor expAvg = a.Tensor(2);
    at::Tensor expAvgSq = a.Tensor(3);
    double step = a.Number(4), lr = a.Number(5), beta1 = a.Number(6), beta2 = a.Number(7);
    double eps = a.Number(8), weightDecay = a.Number(9);
    bool decoupled = a.Bool(10);
    if (weightDecay != 0) {
      if (decoupled) {
        param.mul_(1 - lr * weightDecay);
      } else {
        grad = grad.add(param, weightDecay);
      }
    }
    expAvg.mul_(beta1).add_(grad, 1 - beta1);
    expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    double biasCorrection1 = 1 - std::pow(beta1, step);
    double biasCorrection2 = 1 - std::pow(beta2, step);
    double stepSize = lr / biasCorrection1;
    at::Tensor denom = (expAvgSq.sqrt() / std::sqrt(biasCorrection2)).add_(eps);
    param.addcdiv_(expAvg, denom, -stepSize);
  });
}

}  // namespace histonuc
