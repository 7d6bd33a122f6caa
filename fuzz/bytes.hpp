// bytes.hpp — reads a fuzzer's input as a stream of choices (a portable stand-in for
// libFuzzer's FuzzedDataProvider, so the targets also build as plain replay programs with
// g++). Past the end every read yields zero / the empty string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace aorm_fuzz {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) noexcept : p_(data), end_(data + size) {}

  bool empty() const noexcept { return p_ == end_; }
  std::uint8_t byte() noexcept { return p_ == end_ ? 0 : *p_++; }
  /// A number in [0, n) (n > 0).
  unsigned pick(unsigned n) noexcept { return byte() % n; }
  std::int64_t int64() noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
    // Mostly small numbers, sometimes the whole range.
    return (v & 1) ? static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v >> 1) % 1000 - 500;
  }
  double real() noexcept {
    switch (pick(4)) {
      case 0: return 0.5 * static_cast<double>(int64());
      case 1: return 1e308 * 10;  // +inf
      case 2: return -0.0;
      default: return static_cast<double>(int64()) / 7.0;
    }
  }
  /// A string of up to `max` bytes (any byte value).
  std::string text(std::size_t max) {
    std::string s;
    const std::size_t n = pick(static_cast<unsigned>(max) + 1);
    for (std::size_t i = 0; i < n && !empty(); ++i) s += static_cast<char>(byte());
    return s;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace aorm_fuzz
