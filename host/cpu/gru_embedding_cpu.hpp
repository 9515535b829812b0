// GRU4Rec's one-hot input layer on the host (the official "GRUEmbedding";
// element rules in include/bitrec/kernels/gru_cell.hpp): the first GRU
// layer reads the session's item as a one-hot vector, so its input product
// is the item's row of W_x. Forward and backward of one step over a batch of
// session rows; products on host/cpu/dense_gemm.hpp, every output element
// computed by one thread in a fixed order.
#pragma once
#include <cstdint>
#include <vector>

namespace bitrec::gru {

// w_x [items, 3H] (blocks [x | r | z]), w_rz [H, 2H] (blocks [r | z]),
// w_h [H, H], b [3H] (blocks [x | r | z]); all row-major.
struct GruEmbeddingWeights {
  const float* w_x;
  const float* w_rz;
  const float* w_h;
  const float* b;
  int hidden;
};

// What gru_embedding_backward needs of one forward step (copies, as
// GruLayerCache: the caller overwrites the hidden state in place).
struct GruEmbeddingCache {
  int64_t batch = 0;
  int hidden = 0;
  std::vector<float> h_prev;   // [batch, H]
  std::vector<float> r;        // [batch, H]
  std::vector<float> z;        // [batch, H]
  std::vector<float> c;        // [batch, H] candidate
  std::vector<float> reset_h;  // [batch, H] r ⊙ h_prev, the input of W_h
  std::vector<float> vh;       // [batch, 2H] scratch: h_prev·W_rz
  std::vector<float> a;        // [batch, H]  scratch: (r ⊙ h_prev)·W_h

  void resize(int64_t rows, int hidden_dim);
};

// h_new[batch, H] from the rows' items and h_prev[batch, H]; `cache` may be
// null (evaluation); h_new may alias h_prev.
void gru_embedding_forward(const GruEmbeddingWeights& w, const int32_t* items, const float* h_prev, int64_t batch,
                           float* h_new, GruEmbeddingCache* cache, int threads);

// Gradients of one step given d loss / d h_new: w_rz, w_h and b are
// accumulated (+=; null skips), d_w_x_rows [batch, 3H] is written: row r is
// the gradient of W_x[items[r]] (the optimiser's sparse rows). The carried
// state is detached (one-step backward), so there is no d_h_prev.
struct GruEmbeddingGrads {
  float* w_rz;
  float* w_h;
  float* b;
  float* w_x_rows;
};

void gru_embedding_backward(const GruEmbeddingWeights& w, const GruEmbeddingCache& cache, const float* d_h_new,
                            int64_t batch, GruEmbeddingGrads grads, int threads);

}  // namespace bitrec::gru
