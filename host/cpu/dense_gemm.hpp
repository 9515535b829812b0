// Dense products of the host's small-weight layers (BGCH's hash layer x = e W
// over the batch's rows, docs/bgch.md "Cost"; NGCF's layers and projection
// over whole tables, docs/ngcf.md): row-major float matrices, OpenMP,
// register-blocked. Every output element is summed by one thread in a fixed
// order, so the results do not depend on the thread count.
#pragma once
#include <cstdint>

namespace bitrec::dense {

// c[rows, n] = a[rows, k] · b[k, n]. b is read for every tile of rows: keep
// it small (a layer's weight: BGCH's d × d hash weight is 256 KB at d 256).
void gemm_rows(const float* a, const float* b, float* c, int64_t rows, int k, int n, int threads);

// c[k, n] += a[rows, k]ᵀ · b[rows, n], the sum over rows in ascending row
// order for every element (the weight gradient Σ_r e_rᵀ dx_r).
void gemm_at_b_accumulate(const float* a, const float* b, float* c, int64_t rows, int k, int n,
                          int threads);

// c[n] += Σ_r b[r, :] over `rows` rows, in ascending row order for every
// element (a bias gradient).
void column_sums_accumulate(const float* b, float* c, int64_t rows, int n, int threads);

// at[cols, rows] = a[rows, cols]ᵀ.
void transpose(const float* a, float* at, int rows, int cols);

}  // namespace bitrec::dense
