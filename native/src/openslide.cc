// Whole-slide images through OpenSlide (SVS, NDPI, MRXS, generic tiled TIFF, ...): open, levels,
// properties, regions as 8-bit RGB, close. A slide crosses into JavaScript as a Napi::External; close()
// frees it at once, otherwise the garbage collector's finalizer does. Every failure names the file.
#include <openslide.h>

#include <cstring>
#include <memory>

#include "handle.h"

namespace histonuc {

namespace {

struct Slide {
  static constexpr uint64_t kMagic = 0x736c6964'652d6f73ULL;  // "slide-os"
  uint64_t magic = kMagic;
  openslide_t* osr = nullptr;
  std::string path;

  ~Slide() { Close(); }
  void Close() {
    if (osr != nullptr) openslide_close(osr);
    osr = nullptr;
  }
};

Slide& SlideOf(const Args& a, size_t i) {
  Napi::Value value = a.Value(i);
  if (!value.IsExternal()) throw std::invalid_argument("argument " + std::to_string(i) + " is not a slide");
  auto* slide = value.As<Napi::External<Slide>>().Data();
  if (slide == nullptr || slide->magic != Slide::kMagic) throw std::invalid_argument("argument " + std::to_string(i) + " is not a slide");
  if (slide->osr == nullptr) throw std::runtime_error(slide->path + ": the slide was closed");
  return *slide;
}

// OpenSlide reports errors per handle, after which the handle is unusable.
void CheckSlide(const Slide& slide) {
  const char* error = openslide_get_error(slide.osr);
  if (error != nullptr) throw std::runtime_error(slide.path + ": " + error);
}

}  // namespace

void RegisterOpenSlide(Napi::Env env, Napi::Object exports) {
  // openslideDetectVendor(path) → the format name ("aperio", "generic-tiff", ...) or null.
  Def(exports, "openslideDetectVendor", [](const Args& a) -> Napi::Value {
    const char* vendor = openslide_detect_vendor(a.String(0).c_str());
    return vendor == nullptr ? a.Env().Null() : Napi::String::New(a.Env(), vendor);
  });

  Def(exports, "openslideOpen", [](const Args& a) -> Napi::Value {
    auto slide = std::make_unique<Slide>();
    slide->path = a.String(0);
    slide->osr = openslide_open(slide->path.c_str());
    if (slide->osr == nullptr) throw std::runtime_error(slide->path + ": not a slide format OpenSlide can read");
    CheckSlide(*slide);
    return Napi::External<Slide>::New(a.Env(), slide.release(), [](Napi::Env, Slide* s) { delete s; });
  });

  Def(exports, "openslideClose", [](const Args& a) {
    Napi::Value value = a.Value(0);
    if (!value.IsExternal()) throw std::invalid_argument("argument 0 is not a slide");
    auto* slide = value.As<Napi::External<Slide>>().Data();
    if (slide != nullptr && slide->magic == Slide::kMagic) slide->Close();
  });

  // openslideLevels(slide) → [{width, height, downsample}, ...], level 0 first.
  Def(exports, "openslideLevels", [](const Args& a) -> Napi::Value {
    Slide& slide = SlideOf(a, 0);
    int32_t count = openslide_get_level_count(slide.osr);
    CheckSlide(slide);
    auto levels = Napi::Array::New(a.Env(), count);
    for (int32_t level = 0; level < count; level++) {
      int64_t width = 0, height = 0;
      openslide_get_level_dimensions(slide.osr, level, &width, &height);
      double downsample = openslide_get_level_downsample(slide.osr, level);
      CheckSlide(slide);
      auto entry = Napi::Object::New(a.Env());
      entry.Set("width", Napi::Number::New(a.Env(), static_cast<double>(width)));
      entry.Set("height", Napi::Number::New(a.Env(), static_cast<double>(height)));
      entry.Set("downsample", Napi::Number::New(a.Env(), downsample));
      levels.Set(static_cast<uint32_t>(level), entry);
    }
    return levels;
  });

  // openslideProperties(slide) → {name: value} (openslide.mpp-x, tiff.XResolution, ...).
  Def(exports, "openslideProperties", [](const Args& a) -> Napi::Value {
    Slide& slide = SlideOf(a, 0);
    auto properties = Napi::Object::New(a.Env());
    for (const char* const* name = openslide_get_property_names(slide.osr); *name != nullptr; name++) {
      const char* value = openslide_get_property_value(slide.osr, *name);
      if (value != nullptr) properties.Set(*name, Napi::String::New(a.Env(), value));
    }
    CheckSlide(slide);
    return properties;
  });

  // openslideReadRegion(slide, level, x, y, width, height) → Uint8Array of width·height·3 RGB bytes.
  // x, y are level-0 coordinates (OpenSlide's convention). OpenSlide gives premultiplied ARGB, which
  // is composited onto white: pixels with no data (outside the scanned area) look like bare glass.
  Def(exports, "openslideReadRegion", [](const Args& a) -> Napi::Value {
    Slide& slide = SlideOf(a, 0);
    int32_t level = static_cast<int32_t>(a.Int(1));
    int64_t x = a.Int(2), y = a.Int(3), width = a.Int(4), height = a.Int(5);
    if (width <= 0 || height <= 0 || width * height > (int64_t{1} << 28)) {
      throw std::invalid_argument(slide.path + ": cannot read a region of " + std::to_string(width) + "×" + std::to_string(height) + " pixels");
    }
    std::unique_ptr<uint32_t[]> argb(new uint32_t[width * height]);
    openslide_read_region(slide.osr, argb.get(), x, y, level, width, height);
    CheckSlide(slide);
    auto rgb = Napi::Uint8Array::New(a.Env(), static_cast<size_t>(width * height * 3));
    uint8_t* out = rgb.Data();
    for (int64_t p = 0; p < width * height; p++, out += 3) {
      uint32_t pixel = argb[p];
      uint32_t alpha = pixel >> 24;
      // Premultiplied colour composited onto white: value + (255 − alpha).
      for (int c = 0; c < 3; c++) out[c] = static_cast<uint8_t>(((pixel >> (16 - 8 * c)) & 0xff) + (255 - alpha));
    }
    return rgb;
  });
}

}  // namespace histonuc
