// BITREC_HD marks math written once for both backends: __host__ __device__
// under nvcc, a plain inline function under a host compiler.
#pragma once

#if defined(__CUDACC__)
#define BITREC_HD __host__ __device__ __forceinline__
#else
#define BITREC_HD inline
#endif
