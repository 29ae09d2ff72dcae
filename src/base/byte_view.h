// ByteView: a non-owning view of bytes, and ByteBuffer: a growable owned byte buffer.
// Lifetime rule: a ByteView never owns; the bytes it points to must outlive every use of the
// view (as leveldb's Slice). Thread-safety: views are values; concurrent reads are fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace featmerge {

using ByteView = std::span<const uint8_t>;
using ByteBuffer = std::vector<uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsStringView(ByteView v) {
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}
inline void AppendBytes(ByteBuffer* out, ByteView v) { out->insert(out->end(), v.begin(), v.end()); }

// Little-endian loads and stores (Parquet is little-endian; so are our targets).
template <typename T>
inline T LoadLE(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
inline void StoreLE(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
template <typename T>
inline void AppendLE(ByteBuffer* out, T v) {
  size_t n = out->size();
  out->resize(n + sizeof(T));
  std::memcpy(out->data() + n, &v, sizeof(T));
}

}  // namespace featmerge
