#include "migrate/checksum.hpp"

#include <cstdint>

#include "migrate/writer.hpp"

namespace aormc::migrate {

std::string canonical_text(const Migration& m) { return write_body(m); }

std::string checksum(const Migration& m) { return fnv1a64_hex(canonical_text(m)); }

std::string fnv1a64_hex(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // the FNV-1a 64-bit offset basis
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;  // the FNV 64-bit prime
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

}  // namespace aormc::migrate
