// Helpers of the graph / CPU backend / gradient / sampler tests: small random
// train relations, backend tensors from host vectors, and double-precision
// reference implementations of the propagation and the losses.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "bitrec/backend.hpp"
#include "bitrec/csr.hpp"
#include "bitrec/dataset.hpp"
#include "bitrec/graph.hpp"

namespace bitrec::test {

// A random m x n relation with about density·m·n pairs. The last user and the
// last item have no pairs (zero-degree rows), and user 0 holds every item but
// the last (a user with a single non-train item) when `full_user0`.
inline Csr random_train(int32_t m, int32_t n, double density, uint32_t seed,
                        bool full_user0 = false) {
  std::mt19937 rng(seed);
  std::bernoulli_distribution take(density);
  std::vector<std::pair<int32_t, int32_t>> pairs;
  for (int32_t u = 0; u + 1 < m; ++u) {
    for (int32_t i = 0; i + 1 < n; ++i) {
      if ((full_user0 && u == 0) || take(rng)) pairs.emplace_back(u, i);
    }
  }
  return csr_from_pairs(m, n, std::move(pairs));
}

// A 9-user × 11-item dataset with random train and test relations: the
// MethodModel tests' (bgch, ngcf) smallest case, zero-degree rows included.
inline Dataset tiny_dataset() {
  Dataset data;
  data.name = "tiny";
  data.n_users = 9;
  data.n_items = 11;
  data.train = random_train(9, 11, 0.35, 5);
  data.test = random_train(9, 11, 0.1, 6);
  return data;
}

inline std::vector<float> random_vector(size_t size, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(size);
  for (float& x : v) x = dist(rng);
  return v;
}

inline FloatTensor to_tensor(Backend& be, const std::vector<float>& host, int64_t rows,
                             int64_t cols) {
  FloatTensor t = be.alloc_f32(rows, cols);
  be.upload(host.data(), t);
  return t;
}

inline std::vector<float> to_host(Backend& be, const FloatTensor& t) {
  std::vector<float> host(static_cast<size_t>(t.size()));
  be.download(t, host.data());
  return host;
}

inline IndexTensor triples_tensor(Backend& be, const std::vector<int32_t>& flat) {
  IndexTensor t = be.alloc_i32(static_cast<int64_t>(flat.size() / 3), 3);
  // Backends download index tensors but upload only floats: write through the
  // CPU pointer (tests use the CPU backend).
  std::copy(flat.begin(), flat.end(), t.data());
  return t;
}

// Â as a dense double matrix, straight from the definition D^-½ A D^-½.
inline std::vector<double> dense_normalized(const Csr& train, int32_t m, int32_t n) {
  const int64_t nodes = static_cast<int64_t>(m) + n;
  std::vector<double> a(static_cast<size_t>(nodes * nodes), 0.0);
  for (int32_t u = 0; u < m; ++u) {
    for (const int32_t* it = train.row_begin(u); it != train.row_end(u); ++it) {
      a[u * nodes + m + *it] = 1.0;
      a[(m + *it) * nodes + u] = 1.0;
    }
  }
  std::vector<double> deg(static_cast<size_t>(nodes), 0.0);
  for (int64_t r = 0; r < nodes; ++r) {
    for (int64_t c = 0; c < nodes; ++c) deg[r] += a[r * nodes + c];
  }
  for (int64_t r = 0; r < nodes; ++r) {
    for (int64_t c = 0; c < nodes; ++c) {
      if (a[r * nodes + c] != 0.0) a[r * nodes + c] /= std::sqrt(deg[r] * deg[c]);
    }
  }
  return a;
}

// out = 1/(L+1) Σ_l Â^l in, all in double; a: dense [nodes, nodes], in: [nodes, d].
inline std::vector<double> dense_propagate_mean(const std::vector<double>& a, int64_t nodes,
                                                const std::vector<double>& in, int d,
                                                int layers) {
  std::vector<double> cur = in, out = in, next(in.size());
  for (int l = 1; l <= layers; ++l) {
    for (int64_t r = 0; r < nodes; ++r) {
      for (int k = 0; k < d; ++k) {
        double s = 0.0;
        for (int64_t c = 0; c < nodes; ++c) s += a[r * nodes + c] * cur[c * d + k];
        next[r * d + k] = s;
      }
    }
    cur.swap(next);
    for (size_t i = 0; i < out.size(); ++i) out[i] += cur[i];
  }
  for (double& v : out) v /= (layers + 1);
  return out;
}

inline double softplus_ref(double z) {
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// Mean BPR loss −ln σ(s_ui − s_uj) over triples on a [n_users + n_items, d] table.
inline double bpr_loss_ref(const std::vector<double>& table, int d, int32_t n_users,
                           const std::vector<int32_t>& triples) {
  const size_t count = triples.size() / 3;
  double sum = 0.0;
  for (size_t t = 0; t < count; ++t) {
    const int64_t u = triples[3 * t], i = n_users + triples[3 * t + 1],
                  j = n_users + triples[3 * t + 2];
    double margin = 0.0;
    for (int k = 0; k < d; ++k) margin += table[u * d + k] * (table[i * d + k] - table[j * d + k]);
    sum += softplus_ref(-margin);
  }
  return sum / static_cast<double>(count);
}

// λ/(2|B|) Σ (‖e_u‖² + ‖e_i‖² + ‖e_j‖²).
inline double l2_loss_ref(const std::vector<double>& e0, int d, int32_t n_users,
                          const std::vector<int32_t>& triples, double lambda) {
  const size_t count = triples.size() / 3;
  double sum = 0.0;
  for (size_t t = 0; t < count; ++t) {
    for (const int64_t row : {static_cast<int64_t>(triples[3 * t]),
                              static_cast<int64_t>(n_users) + triples[3 * t + 1],
                              static_cast<int64_t>(n_users) + triples[3 * t + 2]}) {
      for (int k = 0; k < d; ++k) sum += e0[row * d + k] * e0[row * d + k];
    }
  }
  return lambda * sum / (2.0 * static_cast<double>(count));
}

inline std::vector<double> to_double(const std::vector<float>& v) {
  return std::vector<double>(v.begin(), v.end());
}

// Central difference of f at coordinate `at` of x (x restored afterwards).
template <class F>
double central_difference(std::vector<double>& x, size_t at, double h, F&& f) {
  const double saved = x[at];
  x[at] = saved + h;
  const double plus = f(x);
  x[at] = saved - h;
  const double minus = f(x);
  x[at] = saved;
  return (plus - minus) / (2.0 * h);
}

// The same for a float parameter vector p and a loss f() that reads it
// (p[k] restored afterwards); the difference is taken in double.
inline double central_difference(std::vector<float>& p, size_t k, float h, const std::function<double()>& f) {
  const float keep = p[k];
  p[k] = keep + h;
  const double up = f();
  p[k] = keep - h;
  const double down = f();
  p[k] = keep;
  return (up - down) / (2.0 * static_cast<double>(h));
}

}  // namespace bitrec::test
