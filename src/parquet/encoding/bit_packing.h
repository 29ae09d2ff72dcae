// Bit-level primitives shared by the value encodings: LSB-first packing and unpacking of groups
// of 8 values (RLE/bit-packing hybrid, DELTA_BINARY_PACKED), ULEB128 and zigzag varints.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/byte_view.h"

namespace featmerge::parquet {

// Unpacks `num_groups` groups of 8 values of `bit_width` bits each, stored LSB first as the
// RLE/bit-packing hybrid and DELTA_BINARY_PACKED store them, from `in` into `out`
// (num_groups * 8 values). Never reads past in[in_size); bits beyond it read as zero, so the
// caller must only use values whose bits it has checked are present.
// REQUIRES: 0 <= bit_width <= 32 (uint32_t) or <= 64 (uint64_t).
void UnpackGroups(const uint8_t* in, size_t in_size, int bit_width, int64_t num_groups,
                  uint32_t* out);
void UnpackGroups(const uint8_t* in, size_t in_size, int bit_width, int64_t num_groups,
                  uint64_t* out);

// Appends ceil(n * bit_width / 8) bytes to `out`: the low `bit_width` bits of each value, LSB
// first; the last byte is zero-padded. REQUIRES: 0 <= bit_width <= 32 / 64.
void PackValues(const uint32_t* values, int64_t n, int bit_width, ByteBuffer* out);
void PackValues(const uint64_t* values, int64_t n, int bit_width, ByteBuffer* out);

// Reads an unsigned LEB128 varint of at most 64 bits from [*pos, end) and advances *pos.
// False (and *pos unspecified) if the varint is truncated, longer than 10 bytes or overflows.
bool ReadUleb128(const uint8_t** pos, const uint8_t* end, uint64_t* value);
void AppendUleb128(ByteBuffer* out, uint64_t value);

inline int64_t ZigZagDecode(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (0 - (v & 1))); }
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// Bits needed to represent `v` (0 for 0).
inline int BitsNeeded(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

}  // namespace featmerge::parquet
