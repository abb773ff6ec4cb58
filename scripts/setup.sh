#!/usr/bin/env bash
# Sets up histonuc on a Debian machine: system packages, npm packages, the native addon, TypeScript.
#
# libtorch is looked for in this order:
#   1. $LIBTORCH: a libtorch distribution or a Python `torch` package folder (CPU or CUDA build)
#   2. the `torch` package of `python3`, if it imports
#   3. Debian's libtorch-dev (/usr/include/torch, /usr/lib/<arch>/libtorch.so)
# Where none is found, libtorch-dev is installed with apt when running as root; otherwise the exact
# command to run is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Besides libtorch: OpenSlide (whole-slide input; pkg-config finds it for the build) and the
# independent references the tests compare with (PyTorch, torchvision, scikit-image, scipy, PIL, and
# GDAL/GEOS as a real GeoJSON consumer).
SYSTEM_PACKAGES=(libopenslide-dev pkg-config python3-torch python3-torchvision python3-skimage python3-scipy python3-numpy python3-pil python3-gdal)

say() { printf '[setup] %s\n' "$*"; }

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$pkg"
  done
}

apt_install() {
  if [ "$(id -u)" -eq 0 ]; then
    say "installing with apt: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "$@" >/dev/null
  else
    say "missing system packages; run this as root, then run setup again:"
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $*"
    exit 1
  fi
}

# A folder that holds include/torch/csrc/api/include and lib/libtorch.so (libtorch zip or torch package).
is_torch_dir() { [ -f "$1/include/torch/csrc/api/include/torch/torch.h" ] && [ -e "$1/lib/libtorch.so" ]; }

find_libtorch() {
  if [ -n "${LIBTORCH:-}" ]; then
    if is_torch_dir "$LIBTORCH"; then TORCH_INCLUDE="$LIBTORCH/include"; TORCH_LIB="$LIBTORCH/lib"; TORCH_FROM="LIBTORCH=$LIBTORCH"; return 0; fi
    say "LIBTORCH=$LIBTORCH holds no include/torch/csrc/api/include/torch/torch.h and lib/libtorch.so"
    exit 1
  fi
  local pydir
  if pydir=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null) && is_torch_dir "$pydir"; then
    TORCH_INCLUDE="$pydir/include"; TORCH_LIB="$pydir/lib"; TORCH_FROM="python3 torch package ($pydir)"; return 0
  fi
  local multiarch
  multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
  if [ -f /usr/include/torch/csrc/api/include/torch/torch.h ] && [ -e "/usr/lib/$multiarch/libtorch.so" ]; then
    TORCH_INCLUDE=/usr/include; TORCH_LIB="/usr/lib/$multiarch"; TORCH_FROM="Debian libtorch-dev"; return 0
  fi
  return 1
}

missing=$(missing_packages "${SYSTEM_PACKAGES[@]}")
if ! find_libtorch; then missing="$missing libtorch-dev"; fi
if [ -n "${missing// /}" ]; then
  # shellcheck disable=SC2086
  apt_install $missing
  find_libtorch || { say "libtorch-dev installed but libtorch still not found"; exit 1; }
fi
say "libtorch: $TORCH_FROM"

# CUDA builds must link libtorch_cuda even though no symbol of it is referenced directly: its static
# initialisers register the CUDA kernels.
CUDA_LIBS=""
if [ -e "$TORCH_LIB/libtorch_cuda.so" ]; then
  CUDA_LIBS="'-Wl,--no-as-needed', '-ltorch_cuda', '-Wl,--as-needed',"
  say "CUDA build of libtorch: the addon will support cuda devices"
fi

# libtorch must be compiled against with the same libstdc++ string ABI it was built with.
CXX11_ABI=0
# (grep without -q reads all of nm's output: with pipefail, an early exit would fail the pipeline.)
if nm -D --defined-only "$TORCH_LIB/libc10.so" 2>/dev/null | grep '__cxx11' >/dev/null; then CXX11_ABI=1; fi

cat > native/libtorch.gypi <<EOF
# Written by scripts/setup.sh ($TORCH_FROM). Do not edit; run the set-up again instead.
{
  'variables': {
    'torch_include': '$TORCH_INCLUDE',
    'torch_lib': '$TORCH_LIB',
    'torch_cxx11_abi': '$CXX11_ABI',
    'torch_cuda_libs': [$CUDA_LIBS],
  },
}
EOF

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
say "done: try 'npm start' (the embedded demo) and 'npm test'"
