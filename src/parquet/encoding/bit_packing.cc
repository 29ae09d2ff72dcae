#include "parquet/encoding/bit_packing.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "base/logging.h"

namespace featmerge::parquet {
namespace {

// Extracts value `kIndex` of a group of 8 `kWidth`-bit values. Every offset and shift is a
// compile-time constant, so a whole group unpacks without branches. Reads bytes
// [in, in + kWidth + 8): one unaligned 8-byte load per value, plus one byte when the value
// straddles it (only possible for widths above 56).
template <typename T, int kWidth, int kIndex>
inline void UnpackOne(const uint8_t* in, T* out) {
  constexpr int kBit = kIndex * kWidth;
  constexpr int kShift = kBit % 8;
  constexpr T kMask = kWidth == static_cast<int>(sizeof(T) * 8) ? ~T{0} : (T{1} << kWidth) - 1;
  const uint8_t* p = in + kBit / 8;
  uint64_t word = LoadLE<uint64_t>(p) >> kShift;
  if constexpr (kShift + kWidth > 64) word |= uint64_t{p[8]} << (64 - kShift);
  out[kIndex] = static_cast<T>(word) & kMask;
}

template <typename T, int kWidth, size_t... kIndex>
inline void UnpackGroup(const uint8_t* in, T* out, std::index_sequence<kIndex...>) {
  (UnpackOne<T, kWidth, static_cast<int>(kIndex)>(in, out), ...);
}

template <typename T, int kWidth>
void UnpackGroupsWidth(const uint8_t* in, size_t in_size, int64_t num_groups, T* out) {
  if constexpr (kWidth == 0) {
    std::fill(out, out + num_groups * 8, T{0});
  } else {
    // Groups whose 8-byte loads stay inside `in` are unpacked in place; group g reads bytes
    // [g * kWidth, g * kWidth + kWidth + 8).
    constexpr size_t kSpan = kWidth + 8;
    int64_t fast_groups =
        in_size >= kSpan ? static_cast<int64_t>((in_size - kSpan) / kWidth) + 1 : 0;
    fast_groups = std::min(fast_groups, num_groups);
    int64_t group_idx = 0;
    for (; group_idx < fast_groups; ++group_idx) {
      UnpackGroup<T, kWidth>(in + group_idx * kWidth, out + group_idx * 8,
                             std::make_index_sequence<8>{});
    }
    // The last few groups go through a zero-padded copy so no load leaves the buffer.
    for (; group_idx < num_groups; ++group_idx) {
      uint8_t padded[kSpan] = {};
      size_t offset = static_cast<size_t>(group_idx) * kWidth;
      if (offset < in_size) {
        std::memcpy(padded, in + offset, std::min<size_t>(in_size - offset, kWidth));
      }
      UnpackGroup<T, kWidth>(padded, out + group_idx * 8, std::make_index_sequence<8>{});
    }
  }
}

template <typename T>
using UnpackFn = void (*)(const uint8_t*, size_t, int64_t, T*);

template <typename T, size_t... kWidth>
constexpr auto MakeUnpackTable(std::index_sequence<kWidth...>) {
  return std::array<UnpackFn<T>, sizeof...(kWidth)>{
      &UnpackGroupsWidth<T, static_cast<int>(kWidth)>...};
}

// One specialization per bit width, chosen once per call rather than per value.
constexpr auto kUnpack32 = MakeUnpackTable<uint32_t>(std::make_index_sequence<33>{});
constexpr auto kUnpack64 = MakeUnpackTable<uint64_t>(std::make_index_sequence<65>{});

template <typename T>
void PackValuesImpl(const T* values, int64_t n, int bit_width, ByteBuffer* out) {
  const size_t total = static_cast<size_t>((n * bit_width + 7) / 8);
  const size_t start = out->size();
  out->resize(start + total);
  if (bit_width == 0) return;
  uint8_t* dst = out->data() + start;
  const uint64_t mask = bit_width == 64 ? ~uint64_t{0} : (uint64_t{1} << bit_width) - 1;
  uint64_t acc = 0;
  int bits = 0;  // bits pending in acc, always < 64 between values
  for (int64_t value_idx = 0; value_idx < n; ++value_idx) {
    uint64_t v = static_cast<uint64_t>(values[value_idx]) & mask;
    acc |= v << bits;
    bits += bit_width;
    if (bits >= 64) {
      StoreLE(dst, acc);
      dst += 8;
      bits -= 64;
      // The high `bits` bits of v did not fit; they start the next word.
      acc = bits == 0 ? 0 : v >> (bit_width - bits);
    }
  }
  for (; bits > 0; bits -= 8) {
    *dst++ = static_cast<uint8_t>(acc);
    acc >>= 8;
  }
}

// Packs value `kIndex` of a group of 8 `kWidth`-bit values into words[] (the group's bits,
// LSB first); every word index and shift is a compile-time constant.
template <int kWidth, int kIndex>
inline void PackOne(const uint32_t* in, uint64_t* words) {
  constexpr int kBit = kIndex * kWidth;
  constexpr int kShift = kBit % 64;
  constexpr uint64_t kMask = (uint64_t{1} << kWidth) - 1;
  const uint64_t v = in[kIndex] & kMask;
  words[kBit / 64] |= v << kShift;
  if constexpr (kShift + kWidth > 64) words[kBit / 64 + 1] |= v >> (64 - kShift);
}

template <int kWidth, size_t... kIndex>
inline void PackGroup(const uint32_t* in, uint8_t* out, std::index_sequence<kIndex...>) {
  uint64_t words[4] = {0, 0, 0, 0};  // 8 values of at most 32 bits
  (PackOne<kWidth, static_cast<int>(kIndex)>(in, words), ...);
  uint8_t bytes[32];
  for (int i = 0; i < 4; i++) StoreLE(bytes + 8 * i, words[i]);
  std::memcpy(out, bytes, kWidth);  // a group of 8 values is exactly kWidth bytes
}

// Whole groups of 8 at a compile-time width; writes num_groups * kWidth bytes.
template <int kWidth>
void PackGroupsWidth(const uint32_t* in, int64_t num_groups, uint8_t* out) {
  if constexpr (kWidth > 0) {
    for (int64_t g = 0; g < num_groups; ++g) {
      PackGroup<kWidth>(in + g * 8, out + g * kWidth, std::make_index_sequence<8>{});
    }
  }
}

using PackFn = void (*)(const uint32_t*, int64_t, uint8_t*);

template <size_t... kWidth>
constexpr auto MakePackTable(std::index_sequence<kWidth...>) {
  return std::array<PackFn, sizeof...(kWidth)>{&PackGroupsWidth<static_cast<int>(kWidth)>...};
}

constexpr auto kPack32 = MakePackTable(std::make_index_sequence<33>{});

}  // namespace

void UnpackGroups(const uint8_t* in, size_t in_size, int bit_width, int64_t num_groups,
                  uint32_t* out) {
  kUnpack32[bit_width](in, in_size, num_groups, out);
}

void UnpackGroups(const uint8_t* in, size_t in_size, int bit_width, int64_t num_groups,
                  uint64_t* out) {
  kUnpack64[bit_width](in, in_size, num_groups, out);
}

void PackValues(const uint32_t* values, int64_t n, int bit_width, ByteBuffer* out) {
  if (bit_width == 0) return;  // zero bytes
  FM_DCHECK(bit_width <= 32);
  // Whole groups of 8 through the width's specialization, a partial last group bit by bit.
  const int64_t groups = n / 8;
  if (groups > 0) {
    const size_t start = out->size();
    out->resize(start + static_cast<size_t>(groups) * static_cast<size_t>(bit_width));
    kPack32[bit_width](values, groups, out->data() + start);
  }
  PackValuesImpl(values + groups * 8, n - groups * 8, bit_width, out);
}

void PackValues(const uint64_t* values, int64_t n, int bit_width, ByteBuffer* out) {
  PackValuesImpl(values, n, bit_width, out);
}

bool ReadUleb128(const uint8_t** pos, const uint8_t* end, uint64_t* value) {
  uint64_t result = 0;
  const uint8_t* p = *pos;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) return false;
    uint8_t byte = *p++;
    // The 10th byte holds bit 63 only; anything more overflows 64 bits.
    if (shift == 63 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *pos = p;
      *value = result;
      return true;
    }
  }
  return false;
}

void AppendUleb128(ByteBuffer* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<uint8_t>(value));
}

}  // namespace featmerge::parquet
