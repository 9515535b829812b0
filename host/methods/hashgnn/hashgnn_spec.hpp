// HashGNN's layer widths and neighbour fan-outs (docs/hashgnn.md): the model
// (hashgnn_layout.hpp) and its registry spec's memory estimate
// (hashgnn_spec.cpp) both read them from here. Header-only, no model code,
// so the spec stays in the core layer (tools/layers.txt).
#pragma once

namespace bitrec::hashgnn {

constexpr int kEmbed = 120;   // id embedding width (HashGNN code)
constexpr int kHidden = 68;   // GraphSAGE hidden width (HashGNN code)
constexpr int kUserFanout1 = 10;  // user tower, hop 1 (items of the user)
constexpr int kUserFanout2 = 5;   // user tower, hop 2 (users of those items)
constexpr int kItemFanout = 10;   // item tower, hop 1 (users of the item)

}  // namespace bitrec::hashgnn
