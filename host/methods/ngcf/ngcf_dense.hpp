// Dense products of NGCF's layers over whole tables (host/methods/ngcf,
// docs/ngcf.md). Row-major; every output entry is summed in a fixed order
// whatever the thread count, so results are bitwise reproducible.
#pragma once
#include <cstdint>

namespace bitrec::ngcf {

// c[n, m] = a[n, k] · b[k, m]  (+ bias[m] when not null); parallel over rows.
void gemm_rows(const float* a, const float* b, const float* bias, float* c, int64_t n, int k, int m, int threads);

// c[k, m] = a[n, k]ᵀ · b[n, m]. Rows are cut into fixed chunks whose partial
// products are added in chunk order, so the sum does not depend on threads.
void gemm_at_b(const float* a, const float* b, float* c, int64_t n, int k, int m, int threads);

// c[m] = Σ_r b[r, :] over n rows, chunked as gemm_at_b.
void column_sums(const float* b, float* c, int64_t n, int m, int threads);

// t[m, k] = a[k, m]ᵀ.
void transpose(const float* a, float* t, int k, int m);

}  // namespace bitrec::ngcf
