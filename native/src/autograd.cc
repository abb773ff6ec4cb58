// Autograd (gradients, backward, grad mode) and autocast.
#include <ATen/autocast_mode.h>

#include "handle.h"

namespace histonuc {

namespace {

// Autocast "device type" names as the TypeScript side uses them.
bool IsCuda(const std::string& deviceType) {
  if (deviceType == "cpu") return false;
  if (deviceType == "cuda") return true;
  throw std::invalid_argument("unknown autocast device type '" + deviceType + "' (expected cpu or cuda)");
}

}  // namespace

void RegisterAutograd(Napi::Env env, Napi::Object exports) {
  Def(exports, "setRequiresGrad", [](const Args& a) { a.Tensor(0).requires_grad_(a.Bool(1)); });
  Def(exports, "requiresGrad", [](const Args& a) { return a.Tensor(0).requires_grad(); });
  Def(exports, "isLeaf", [](const Args& a) { return a.Tensor(0).is_leaf(); });
  // backward(t, gradient?, retainGraph)
  Def(exports, "backward", [](const Args& a) {
    const at::Tensor& t = a.Tensor(0);
    if (!t.requires_grad()) throw std::invalid_argument("backward() on a tensor that does not require grad");
    c10::optional<at::Tensor> gradient = a.OptionalTensor(1);
    t.backward(gradient ? *gradient : at::Tensor(), a.Bool(2));
  });
  // grad(t): the accumulated gradient, or null where none has been computed
  Def(exports, "grad", [](const Args& a) -> Napi::Value {
    const at::Tensor& grad = a.Tensor(0).grad();
    if (!grad.defined()) return a.Env().Null();
    return WrapTensor(a.Env(), grad);
  });
  // setGrad(t, g | null): replaces (or clears) the accumulated gradient
  Def(exports, "setGrad", [](const Args& a) {
    at::Tensor t = a.Tensor(0);
    c10::optional<at::Tensor> grad = a.OptionalTensor(1);
    t.mutable_grad() = grad ? *grad : at::Tensor();
  });
  Def(exports, "detach", [](const Args& a) { return a.Tensor(0).detach(); });
  Def(exports, "isGradEnabled", [](const Args&) { return at::GradMode::is_enabled(); });
  Def(exports, "setGradEnabled", [](const Args& a) { at::GradMode::set_enabled(a.Bool(0)); });

  // autocastEnter(deviceType, dtype) → whether autocast was enabled before. Nesting is counted as
  // torch.autocast counts it; the cache of cast weights is cleared when the outermost scope exits.
  Def(exports, "autocastEnter", [](const Args& a) {
    bool cuda = IsCuda(a.String(0));
    at::ScalarType dtype = a.Dtype(1);
    bool before = cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
    if (cuda) {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
    return before;
  });
  // autocastExit(deviceType, enabledBefore, dtypeBefore)
  Def(exports, "autocastExit", [](const Args& a) {
    bool cuda = IsCuda(a.String(0));
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    if (cuda) {
      at::autocast::set_enabled(a.Bool(1));
      at::autocast::set_autocast_gpu_dtype(a.Dtype(2));
    } else {
      at::autocast::set_cpu_enabled(a.Bool(1));
      at::autocast::set_autocast_cpu_dtype(a.Dtype(2));
    }
  });
  Def(exports, "autocastDtype", [](const Args& a) {
    return DtypeName(IsCuda(a.String(0)) ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype());
  });
}

}  // namespace histonuc
