// --encoder ngcf: NGCF's layers under lightgcn, hash-ste or recall-hash
// (docs/ngcf.md). Trains on the host (NgcfModel).
#include "bitrec/method_spec.hpp"

namespace bitrec {
namespace {

constexpr int64_t kFloat = 4;

// E0, L [2d, d] layer weights and the [(L+1)d, d] projection, with Adam's
// moments; training keeps E⁽ˡ⁾, ÂE⁽ˡ⁾, the concatenation, its gradient, codes
// and scratch: about 6(L+1) + 8 tables of d (docs/ngcf.md). Without codes
// the output is the (L+1)d concatenation.
HostModelFootprint ngcf_memory(const TrainConfig& c, const MemoryShape& s) {
  HostModelFootprint f;
  const int64_t table = s.rows * c.dim * kFloat;
  f.bits = f.out_dim = c.dim;
  f.params = 3 * (table + int64_t{3 * c.layers + 1} * c.dim * c.dim * kFloat);
  f.training = (6 * int64_t{c.layers + 1} + 8) * table;
  if (!method_spec(c.method).hashed) f.bits = f.out_dim = int64_t{c.layers + 1} * c.dim;
  return f;
}

}  // namespace

EncoderSpec ngcf_encoder_spec() {
  EncoderSpec s;
  s.encoder = Encoder::kNgcf;
  s.name = "ngcf";
  s.methods = {Method::kLightGcn, Method::kHashSte, Method::kRecallHash};
  s.trains_on = TrainDevice::kHost;
  s.host_memory = ngcf_memory;
  return s;
}

}  // namespace bitrec
