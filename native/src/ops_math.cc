// Element-wise arithmetic (broadcasting, with numbers promoted as PyTorch promotes Python scalars),
// comparisons, selection and reductions.
#include "handle.h"

namespace histonuc {

namespace {

// Registers name(a, b) where either operand may be a tensor or a number.
template <typename F>
void Binary(Napi::Object exports, const char* name, F op) {
  Def(exports, name, [op](const Args& a) { return op(a.TensorOrScalar(0), a.TensorOrScalar(1)); });
}

template <typename F>
void Unary(Napi::Object exports, const char* name, F op) {
  Def(exports, name, [op](const Args& a) { return op(a.Tensor(0)); });
}

// Reductions take (t, dims?, keepdim): all dimensions where dims is absent.
template <typename F>
void Reduction(Napi::Object exports, const char* name, F op) {
  Def(exports, name, [op](const Args& a) {
    const at::Tensor& t = a.Tensor(0);
    if (a.IsAbsent(1)) return op(t, at::IntArrayRef{}, false, true);
    return op(t, at::IntArrayRef(a.Ints(1)), a.Bool(2), false);
  });
}

}  // namespace

void RegisterMath(Napi::Env env, Napi::Object exports) {
  Binary(exports, "add", [](const at::Tensor& x, const at::Tensor& y) { return at::add(x, y); });
  Binary(exports, "sub", [](const at::Tensor& x, const at::Tensor& y) { return at::sub(x, y); });
  Binary(exports, "mul", [](const at::Tensor& x, const at::Tensor& y) { return at::mul(x, y); });
  Binary(exports, "div", [](const at::Tensor& x, const at::Tensor& y) { return at::div(x, y); });
  Binary(exports, "pow", [](const at::Tensor& x, const at::Tensor& y) { return at::pow(x, y); });
  Binary(exports, "maximum", [](const at::Tensor& x, const at::Tensor& y) { return at::maximum(x, y); });
  Binary(exports, "minimum", [](const at::Tensor& x, const at::Tensor& y) { return at::minimum(x, y); });
  Binary(exports, "remainder", [](const at::Tensor& x, const at::Tensor& y) { return at::remainder(x, y); });
  Binary(exports, "eq", [](const at::Tensor& x, const at::Tensor& y) { return at::eq(x, y); });
  Binary(exports, "ne", [](const at::Tensor& x, const at::Tensor& y) { return at::ne(x, y); });
  Binary(exports, "lt", [](const at::Tensor& x, const at::Tensor& y) { return at::lt(x, y); });
  Binary(exports, "le", [](const at::Tensor& x, const at::Tensor& y) { return at::le(x, y); });
  Binary(exports, "gt", [](const at::Tensor& x, const at::Tensor& y) { return at::gt(x, y); });
  Binary(exports, "ge", [](const at::Tensor& x, const at::Tensor& y) { return at::ge(x, y); });
  Binary(exports, "logicalAnd", [](const at::Tensor& x, const at::Tensor& y) { return at::logical_and(x, y); });
  Binary(exports, "logicalOr", [](const at::Tensor& x, const at::Tensor& y) { return at::logical_or(x, y); });

  // In place, for optimizers and running statistics: x += alpha·y, x *= y. In-place ops return
  // nothing: a second handle to the tensor would keep it (and its autograd graph) alive until the
  // garbage collector ran.
  Def(exports, "add_", [](const Args& a) { a.Tensor(0).add_(a.TensorOrScalar(1), ScalarOf(a.IsAbsent(2) ? 1.0 : a.Number(2))); });
  Def(exports, "mul_", [](const Args& a) { a.Tensor(0).mul_(a.TensorOrScalar(1)); });

  Unary(exports, "neg", [](const at::Tensor& x) { return at::neg(x); });
  Unary(exports, "exp", [](const at::Tensor& x) { return at::exp(x); });
  Unary(exports, "log", [](const at::Tensor& x) { return at::log(x); });
  Unary(exports, "sqrt", [](const at::Tensor& x) { return at::sqrt(x); });
  Unary(exports, "abs", [](const at::Tensor& x) { return at::abs(x); });
  Unary(exports, "floor", [](const at::Tensor& x) { return at::floor(x); });
  Unary(exports, "round", [](const at::Tensor& x) { return at::round(x); });
  Unary(exports, "logicalNot", [](const at::Tensor& x) { return at::logical_not(x); });
  Unary(exports, "isFinite", [](const at::Tensor& x) { return at::isfinite(x); });

  Def(exports, "clamp", [](const Args& a) {
    c10::optional<at::Scalar> low, high;
    if (!a.IsAbsent(1)) low = ScalarOf(a.Number(1));
    if (!a.IsAbsent(2)) high = ScalarOf(a.Number(2));
    if (!low && !high) throw std::invalid_argument("clamp needs a lower or an upper bound");
    return at::clamp(a.Tensor(0), low, high);
  });
  Def(exports, "where", [](const Args& a) { return at::where(a.Tensor(0), a.TensorOrScalar(1), a.TensorOrScalar(2)); });
  Def(exports, "matmul", [](const Args& a) { return at::matmul(a.Tensor(0), a.Tensor(1)); });

  Reduction(exports, "sum", [](const at::Tensor& t, at::IntArrayRef dims, bool keep, bool all) {
    return all ? t.sum() : t.sum(dims, keep);
  });
  Reduction(exports, "mean", [](const at::Tensor& t, at::IntArrayRef dims, bool keep, bool all) {
    return all ? t.mean() : t.mean(dims, keep);
  });
  Reduction(exports, "amax", [](const at::Tensor& t, at::IntArrayRef dims, bool keep, bool all) {
    return all ? t.max() : t.amax(dims, keep);
  });
  Reduction(exports, "amin", [](const at::Tensor& t, at::IntArrayRef dims, bool keep, bool all) {
    return all ? t.min() : t.amin(dims, keep);
  });
  // max(t, dim, keepdim) → [values, indices]
  Def(exports, "maxDim", [](const Args& a) {
    auto [values, indices] = at::max(a.Tensor(0), a.Int(1), a.Bool(2));
    return std::vector<at::Tensor>{values, indices};
  });
  // argmax(t, dim?, keepdim): over the flattened tensor where dim is absent
  Def(exports, "argmax", [](const Args& a) {
    if (a.IsAbsent(1)) return at::argmax(a.Tensor(0));
    return at::argmax(a.Tensor(0), a.Int(1), a.Bool(2));
  });
}

}  // namespace histonuc
