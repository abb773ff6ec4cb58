// histonuc's native core: libtorch tensors and ops for the TypeScript engine (src/engine).
#include "cpu_allocator.h"
#include "handle.h"

namespace histonuc {

void RegisterOpenSlide(Napi::Env env, Napi::Object exports);  // openslide.cc: whole-slide images
void RegisterPostprocess(Napi::Env env, Napi::Object exports);  // ops_postprocess.cc: per-pixel passes

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallCpuAllocator(env);  // first, so that every tensor comes from it
  RegisterCpuAllocator(env, exports);
  RegisterHandles(env, exports);
  RegisterCreate(env, exports);
  RegisterNn(env, exports);
  RegisterMath(env, exports);
  RegisterShape(env, exports);
  RegisterAutograd(env, exports);
  RegisterOptim(env, exports);
  RegisterPostprocess(env, exports);
  RegisterOpenSlide(env, exports);
  return exports;
}

}  // namespace histonuc

static Napi::Object InitHistonuc(Napi::Env env, Napi::Object exports) { return histonuc::Init(env, exports); }

NODE_API_MODULE(histonuc_native, InitHistonuc)
