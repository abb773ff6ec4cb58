{
  'includes': ['libtorch.gypi'],
  'targets': [{
    'target_name': 'histonuc_native',
    'sources': [
      'src/addon.cc',
      'src/handle.cc',
      'src/ops_create.cc',
      'src/ops_nn.cc',
      'src/ops_math.cc',
      'src/ops_shape.cc',
      'src/autograd.cc',
      'src/optim.cc',
      'src/pickle.cc',
    ],
    'include_dirs': [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      '<(torch_include)',
      '<(torch_include)/torch/csrc/api/include',
    ],
    'defines': [
      'NAPI_VERSION=8',
      'NODE_ADDON_API_DISABLE_DEPRECATED',
      'NAPI_CPP_EXCEPTIONS',
      '_GLIBCXX_USE_CXX11_ABI=<(torch_cxx11_abi)',
    ],
    'cflags!': ['-fno-exceptions', '-fno-rtti'],
    'cflags_cc!': ['-fno-exceptions', '-fno-rtti', '-std=gnu++17'],
    'cflags_cc': ['-std=c++17', '-fexceptions', '-O2', '-Wno-unused-parameter', '-Wno-deprecated-declarations'],
    'libraries': [
      '-L<(torch_lib)',
      '-Wl,-rpath,<(torch_lib)',
      '<@(torch_cuda_libs)',
      '-ltorch',
      '-ltorch_cpu',
      '-lc10',
    ],
  }],
}
