// GRU4Rec's layer step and optimizer on the host: one GRUCell step over a
// batch of session rows (forward and backward), the official IndexedAdagradM
// over whole tensors and over the rows a batch touched, and the row gather
// of the embedding tables. The element math is include/bitrec/kernels/
// gru_cell.hpp; the products are host/cpu/dense_gemm.hpp. Every output
// element is computed by one thread in a fixed order, so results do not
// depend on the thread count.
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec::gru {

// One GRUCell layer: w_ih row-major [in, 3H], w_hh [H, 3H], b_ih and b_hh
// [3H]; the 3H columns are the gate blocks [r | z | n].
struct GruLayerWeights {
  const float* w_ih;
  const float* w_hh;
  const float* b_ih;
  const float* b_hh;
  int in;
  int hidden;
};

// What gru_layer_backward needs of one forward step of `batch` rows. It holds
// copies (not pointers) of the input and the previous hidden state, because
// the caller overwrites both right after the step (the hidden state in
// place, the input by the next layer or dropout). gi and gh are the forward's
// product buffers, kept so a step allocates nothing once the cache has grown
// to the batch.
struct GruLayerCache {
  int64_t batch = 0;
  int in = 0;
  int hidden = 0;
  std::vector<float> x;       // [batch, in]   the step's input
  std::vector<float> h_prev;  // [batch, H]    the hidden state before the step
  std::vector<float> r;       // [batch, H]    reset gate
  std::vector<float> z;       // [batch, H]    update gate
  std::vector<float> n;       // [batch, H]    candidate
  std::vector<float> gh_n;    // [batch, H]    (h_prev·W_hh + b_hh) of the n block
  std::vector<float> gi;      // [batch, 3H]   scratch: x·W_ih + b_ih
  std::vector<float> gh;      // [batch, 3H]   scratch: h_prev·W_hh + b_hh

  void resize(int64_t rows, int in_dim, int hidden_dim);
};

// h_new[batch, H] = GRUCell(x[batch, in], h_prev[batch, H]). `cache` may be
// null (evaluation); h_new may alias h_prev (the caller's hidden state
// updated in place).
void gru_layer_forward(const GruLayerWeights& w, const float* x, const float* h_prev,
                       int64_t batch, float* h_new, GruLayerCache* cache, int threads);

// Weight gradients, accumulated (+=); a null member is skipped.
struct GruLayerGrads {
  float* w_ih;
  float* w_hh;
  float* b_ih;
  float* b_hh;
};

// Backward of one forward step given d loss / d h_new [batch, H]. d_x
// [batch, in] and d_h_prev [batch, H] are written (=, not accumulated) and
// either may be null: GRU4Rec detaches the hidden state every step (one-step
// truncated BPTT), so d_h_prev is usually not needed, while d_x flows to the
// input embedding rows and the layer below.
void gru_layer_backward(const GruLayerWeights& w, const GruLayerCache& cache,
                        const float* d_h_new, int64_t batch, GruLayerGrads grads, float* d_x,
                        float* d_h_prev, int threads);

// IndexedAdagradM on `n` rows of a [*, cols] table: row_grads[i] is the
// gradient of row rows[i]. Rows may repeat; like the official coalesce their
// gradients are summed first (in ascending i) and each distinct row is
// updated once. `mom` may be null when momentum is 0.
void adagrad_rows(float* param, float* acc, float* mom, int64_t cols, const int32_t* rows,
                  const float* row_grads, int64_t n, float lr, float momentum, float eps,
                  int threads);

// IndexedAdagradM on a dense tensor of `size` elements.
void adagrad_dense(float* param, float* acc, float* mom, const float* grad, int64_t size,
                   float lr, float momentum, float eps, int threads);

// out[i, :] = table[rows[i], :] for i < n.
void gather_rows(const float* table, int64_t cols, const int32_t* rows, int64_t n, float* out,
                 int threads);

}  // namespace bitrec::gru
