// Shape, layout and indexing ops.
#include "handle.h"

namespace histonuc {

void RegisterShape(Napi::Env env, Napi::Object exports) {
  Def(exports, "cat", [](const Args& a) { return at::cat(a.Tensors(0), a.Int(1)); });
  Def(exports, "stack", [](const Args& a) { return at::stack(a.Tensors(0), a.Int(1)); });
  // narrow(t, dim, start, length): a view
  Def(exports, "narrow", [](const Args& a) { return a.Tensor(0).narrow(a.Int(1), a.Int(2), a.Int(3)); });
  // slice(t, dim, start, end, step): a view
  Def(exports, "slice", [](const Args& a) { return a.Tensor(0).slice(a.Int(1), a.Int(2), a.Int(3), a.Int(4)); });
  Def(exports, "select", [](const Args& a) { return a.Tensor(0).select(a.Int(1), a.Int(2)); });
  Def(exports, "indexSelect", [](const Args& a) { return at::index_select(a.Tensor(0), a.Int(1), a.Tensor(2)); });
  Def(exports, "gather", [](const Args& a) { return at::gather(a.Tensor(0), a.Int(1), a.Tensor(2)); });
  Def(exports, "reshape", [](const Args& a) { return a.Tensor(0).reshape(a.Ints(1)); });
  Def(exports, "permute", [](const Args& a) { return a.Tensor(0).permute(a.Ints(1)); });
  Def(exports, "transpose", [](const Args& a) { return a.Tensor(0).transpose(a.Int(1), a.Int(2)); });
  Def(exports, "squeeze", [](const Args& a) { return a.Tensor(0).squeeze(a.Int(1)); });
  Def(exports, "unsqueeze", [](const Args& a) { return a.Tensor(0).unsqueeze(a.Int(1)); });
  Def(exports, "expand", [](const Args& a) { return a.Tensor(0).expand(a.Ints(1)); });
  Def(exports, "repeat", [](const Args& a) { return a.Tensor(0).repeat(a.Ints(1)); });
  Def(exports, "flip", [](const Args& a) { return at::flip(a.Tensor(0), a.Ints(1)); });
  // rot90(t, k, dims[2]): counter-clockwise from dims[0] towards dims[1], as torch.rot90
  Def(exports, "rot90", [](const Args& a) { return at::rot90(a.Tensor(0), a.Int(1), a.Ints(2)); });
  // contiguous(t, channelsLast): a dense copy in the given memory format (the same tensor if already so)
  Def(exports, "contiguous", [](const Args& a) {
    return a.Tensor(0).contiguous(a.Bool(1) ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
  });
}

}  // namespace histonuc
