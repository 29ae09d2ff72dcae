// Stable 64-bit hashing (FNV-1a) for fingerprints that must not change between runs or
// builds (std::hash may). Not for hash tables on hot paths. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/byte_view.h"

namespace featmerge {

class Fnv64 {
 public:
  Fnv64& Add(ByteView bytes) {
    for (uint8_t b : bytes) {
      h_ ^= b;
      h_ *= 0x100000001b3ull;
    }
    return *this;
  }
  Fnv64& Add(std::string_view s) { return Add(AsBytes(s)); }
  Fnv64& AddInt(int64_t v) {
    uint8_t buf[8];
    StoreLE(buf, v);
    return Add(ByteView(buf, 8));
  }
  uint64_t value() const { return h_; }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace featmerge
