// Standalone timing of smooth_recall_forward_backward_cpu on a real dataset
// (not wired into CMake). Build against a Release build dir's library:
//   g++ -O3 -march=native -fopenmp -std=c++17 -Iinclude -Ihost \
//       tools/bench/smooth_recall_bench.cpp /tmp/build-sr/libbitrec_{cpu,data,core}.a -o /tmp/srbench
// Run: /tmp/srbench [bits=64] [batches=10] [threads=1] [data=../shared/datasets/gowalla]
//                    [dump file: the final gradient table, raw float32, for bitwise comparison]
// Random ±1 signs (seeded) for all users and items; batches of 256 users
// taken in order from a seeded shuffle of the users with train items;
// tau_rank 4, tau_cut 50, recall_n 50. Prints the median per batch of wall
// time and of process CPU time (CLOCK_PROCESS_CPUTIME_ID), plus a checksum
// of the loss and gradient so that two builds can be compared.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bitrec/dataset.hpp"
#include "bitrec/smooth_recall.hpp"

namespace {
double now(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

int main(int argc, char** argv) {
  const int bits = argc > 1 ? std::atoi(argv[1]) : 64;
  const int batches = argc > 2 ? std::atoi(argv[2]) : 10;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const std::string path = argc > 4 ? argv[4] : "../shared/datasets/gowalla";
  const int64_t batch = 256;

  const bitrec::Dataset data = bitrec::load_dataset(path);
  const int64_t rows = static_cast<int64_t>(data.n_users) + data.n_items;
  std::mt19937_64 rng(12345);
  std::vector<float> signs(static_cast<size_t>(rows) * bits);
  for (float& s : signs) s = (rng() >> 63) ? 1.0f : -1.0f;
  std::vector<int32_t> users;
  for (int32_t u = 0; u < data.n_users; ++u)
    if (data.train.row_size(u) > 0) users.push_back(u);
  std::shuffle(users.begin(), users.end(), rng);
  std::vector<float> grad(signs.size(), 0.0f);

  bitrec::SmoothRecallParams params;
  params.tau_rank = 4.0f;
  params.tau_cut = 50.0f;
  params.recall_n = 50;

  std::vector<double> wall, cpu;
  double loss_sum = 0.0;
  for (int b = 0; b < batches; ++b) {
    const int64_t start = (b * batch) % static_cast<int64_t>(users.size());
    const int64_t nb = std::min<int64_t>(batch, users.size() - start);
    const double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    loss_sum += bitrec::smooth_recall_forward_backward_cpu(
        signs.data(), bits, data.n_users, data.n_items, data.train, users.data() + start, nb,
        params, grad.data(), threads);
    wall.push_back(now(CLOCK_MONOTONIC) - w0);
    cpu.push_back(now(CLOCK_PROCESS_CPUTIME_ID) - c0);
  }
  double gsum = 0.0, gabs = 0.0;
  for (const float g : grad) {
    gsum += g;
    gabs += std::abs(g);
  }
  std::printf("%s bits=%d threads=%d batches=%d: median per batch wall %.1f ms, cpu %.1f ms\n",
              path.c_str(), bits, threads, batches, 1e3 * median(wall), 1e3 * median(cpu));
  std::printf("checksum: loss_sum %.12g grad_sum %.9g grad_abs %.9g\n", loss_sum, gsum, gabs);
  if (argc > 5) {
    FILE* f = std::fopen(argv[5], "wb");
    if (f == nullptr || std::fwrite(grad.data(), sizeof(float), grad.size(), f) != grad.size()) {
      std::perror(argv[5]);
      return 1;
    }
    std::fclose(f);
  }
  return 0;
}
