// A backend-owned, row-major buffer with a shape. The memory may live on a
// device: only the backend that made a Tensor dereferences data().
#pragma once
#include <cstdint>
#include <memory>

namespace bitrec {

template <class T>
class Tensor {
 public:
  Tensor() = default;
  Tensor(std::shared_ptr<T> memory, int64_t rows, int64_t cols)
      : memory_(std::move(memory)), rows_(rows), cols_(cols) {}

  T* data() const { return memory_.get(); }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t size() const { return rows_ * cols_; }
  bool empty() const { return size() == 0; }

 private:
  std::shared_ptr<T> memory_;
  int64_t rows_ = 0;
  int64_t cols_ = 0;
};

using FloatTensor = Tensor<float>;
using IndexTensor = Tensor<int32_t>;
using CodeTensor = Tensor<uint64_t>;  // packed sign codes, [rows, words]

}  // namespace bitrec
