#include "parquet/encoding/rle_bit_packed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "parquet/encoding/bit_packing.h"

namespace featmerge::parquet {
namespace {

std::vector<uint32_t> DecodeAll(ByteView data, int bit_width, int64_t n, Status* status) {
  std::vector<uint32_t> out(static_cast<size_t>(n));
  RleBitPackedDecoder decoder;
  *status = decoder.Init(data, bit_width);
  if (status->ok()) *status = decoder.GetBatch(out.data(), n);
  return out;
}

std::vector<uint32_t> DecodeOk(const ByteBuffer& data, int bit_width, int64_t n) {
  Status status;
  std::vector<uint32_t> out = DecodeAll(data, bit_width, n, &status);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

ByteBuffer Encode(const std::vector<uint32_t>& values, int bit_width) {
  RleBitPackedEncoder encoder(bit_width);
  for (uint32_t v : values) encoder.Put(v);
  ByteBuffer out;
  encoder.Finish(&out);
  return out;
}

// Random values of `bit_width` bits mixing long runs, short runs and noise.
std::vector<uint32_t> MixedValues(int bit_width, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint64_t mask = bit_width == 32 ? 0xFFFFFFFFull : (uint64_t{1} << bit_width) - 1;
  std::vector<uint32_t> values;
  while (static_cast<int64_t>(values.size()) < n) {
    const uint32_t value = static_cast<uint32_t>(rng() & mask);
    const int64_t run = rng() % 3 == 0 ? static_cast<int64_t>(rng() % 40) : 1;
    for (int64_t idx = 0; idx < run && static_cast<int64_t>(values.size()) < n; ++idx) {
      values.push_back(value);
    }
  }
  return values;
}

TEST(BitWidthFor, KnownValues) {
  EXPECT_EQ(BitWidthFor(0), 0);
  EXPECT_EQ(BitWidthFor(1), 1);
  EXPECT_EQ(BitWidthFor(2), 2);
  EXPECT_EQ(BitWidthFor(3), 2);
  EXPECT_EQ(BitWidthFor(1023), 10);
  EXPECT_EQ(BitWidthFor(1024), 11);
  EXPECT_EQ(BitWidthFor(0xFFFFFFFFu), 32);
}

// Parquet Encodings.md: values 0..7 with bit width 3 bit-packed are 0x88 0xC6 0xFA after the
// run header (1 group: (1 << 1) | 1 = 0x03).
TEST(RleBitPackedDecoder, SpecBitPackedExampleDecodes) {
  ByteBuffer data = {0x03, 0x88, 0xC6, 0xFA};
  EXPECT_EQ(DecodeOk(data, 3, 8), (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(RleBitPackedEncoder, SpecBitPackedExampleEncodes) {
  EXPECT_EQ(Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3), (ByteBuffer{0x03, 0x88, 0xC6, 0xFA}));
}

TEST(RleBitPackedDecoder, RleRunDecodes) {
  // Header 10 << 1 = 0x14, value 5 in one byte.
  EXPECT_EQ(DecodeOk({0x14, 0x05}, 3, 10), std::vector<uint32_t>(10, 5));
  // Bit width 9: the value takes two little-endian bytes.
  EXPECT_EQ(DecodeOk({0x06, 0x2C, 0x01}, 9, 3), std::vector<uint32_t>(3, 300));
  // Bit width 32: four bytes.
  EXPECT_EQ(DecodeOk({0x04, 0xEF, 0xBE, 0xAD, 0xDE}, 32, 2), std::vector<uint32_t>(2, 0xDEADBEEF));
}

TEST(RleBitPackedEncoder, LongRepeatBecomesOneRleRun) {
  RleBitPackedEncoder encoder(3);
  encoder.PutRepeated(7, 1000);
  ByteBuffer out;
  encoder.Finish(&out);
  // 1000 << 1 = 2000 = ULEB128 0xD0 0x0F, then the value byte.
  EXPECT_EQ(out, (ByteBuffer{0xD0, 0x0F, 0x07}));
}

TEST(RleBitPackedEncoder, LiteralsThenRepeatsKnownBytes) {
  std::vector<uint32_t> values = {1, 0, 1, 0, 1, 0, 1, 0};
  values.insert(values.end(), 16, 1);
  // One bit-packed group (0x03, bits 0b01010101), then an RLE run of 16 ones (0x20, 0x01).
  EXPECT_EQ(Encode(values, 1), (ByteBuffer{0x03, 0x55, 0x20, 0x01}));
}

TEST(RleBitPackedEncoder, ShortTrailingRepeatIsRleRun) {
  EXPECT_EQ(Encode({1, 1, 1, 1, 1}, 1), (ByteBuffer{0x0A, 0x01}));
}

TEST(RleBitPackedEncoder, PartialLastGroupIsZeroPadded) {
  // 3 values in one group: header 0x03, bits 1 | 0 << 1 | 1 << 2 = 0x05.
  EXPECT_EQ(Encode({1, 0, 1}, 1), (ByteBuffer{0x03, 0x05}));
}

TEST(RleBitPackedEncoder, LiteralRunSplitsAfter63Groups) {
  std::vector<uint32_t> values;
  for (int idx = 0; idx < 64 * 8; ++idx) values.push_back(idx % 251);  // no run of 8
  ByteBuffer out = Encode(values, 8);
  ASSERT_EQ(out.size(), 1 + 63 * 8 + 1 + 8u);
  EXPECT_EQ(out[0], 0x7F);           // 63 groups
  EXPECT_EQ(out[1 + 63 * 8], 0x03);  // then 1 group
  EXPECT_EQ(DecodeOk(out, 8, static_cast<int64_t>(values.size())), values);
}

TEST(RleBitPackedEncoder, FinishResetsForNextPage) {
  RleBitPackedEncoder encoder(2);
  for (uint32_t v : {1u, 2u, 3u}) encoder.Put(v);
  ByteBuffer first;
  encoder.Finish(&first);
  encoder.PutRepeated(2, 20);
  ByteBuffer second;
  encoder.Finish(&second);
  EXPECT_EQ(DecodeOk(first, 2, 3), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(second, (ByteBuffer{0x28, 0x02}));
}

TEST(RleBitPackedEncoder, PutRepeatedMatchesPutLoop) {
  std::mt19937_64 rng(7);
  RleBitPackedEncoder repeated(5);
  RleBitPackedEncoder single(5);
  for (int step = 0; step < 500; ++step) {
    const uint32_t value = rng() % 32;
    const int64_t count = rng() % 4 == 0 ? static_cast<int64_t>(rng() % 100) : 1;
    repeated.PutRepeated(value, count);
    for (int64_t idx = 0; idx < count; ++idx) single.Put(value);
  }
  ByteBuffer a;
  ByteBuffer b;
  repeated.Finish(&a);
  single.Finish(&b);
  EXPECT_EQ(a, b);
}

TEST(RleBitPackedEncoder, PutBatchMatchesPutLoop) {
  // Random values, runs of every length (shorter and longer than a group, aligned or not),
  // batches cut anywhere, Puts in between, and literal runs longer than 63 groups: the bytes
  // must be exactly those of one Put per value.
  std::mt19937_64 rng(11);
  for (int bit_width : {1, 3, 8, 11, 20, 32}) {
    const uint32_t limit = bit_width == 32 ? 0xffffffffu : (1u << bit_width) - 1;
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint32_t> values;
      while (values.size() < 3000) {
        const uint32_t v = static_cast<uint32_t>(rng()) & limit;
        const size_t run = rng() % 3 == 0 ? rng() % 40 + 1 : 1;
        values.insert(values.end(), trial % 5 == 0 ? 1 : run, v);
      }
      RleBitPackedEncoder batched(bit_width);
      RleBitPackedEncoder single(bit_width);
      for (size_t i = 0; i < values.size();) {
        const size_t n = std::min(values.size() - i, static_cast<size_t>(rng() % 700));
        if (rng() % 4 == 0) {
          batched.Put(values[i]);  // a single Put between batches
          i++;
        } else {
          batched.PutBatch(values.data() + i, static_cast<int64_t>(n));
          i += n;
        }
      }
      for (uint32_t v : values) single.Put(v);
      ByteBuffer a;
      ByteBuffer b;
      batched.Finish(&a);
      single.Finish(&b);
      ASSERT_EQ(a, b) << "bit width " << bit_width << ", trial " << trial;
      EXPECT_EQ(DecodeOk(a, bit_width, static_cast<int64_t>(values.size())), values);
    }
  }
}

TEST(RleBitPackedEncoder, EstimatedSizeBoundsOutput) {
  for (int bit_width : {1, 7, 20, 32}) {
    RleBitPackedEncoder encoder(bit_width);
    for (uint32_t v : MixedValues(bit_width, 10000, bit_width)) encoder.Put(v);
    const int64_t estimate = encoder.EstimatedSize();
    ByteBuffer out;
    encoder.Finish(&out);
    EXPECT_GE(estimate, static_cast<int64_t>(out.size())) << bit_width;
    EXPECT_LE(estimate, static_cast<int64_t>(out.size()) + 40) << bit_width;
  }
}

TEST(RleBitPackedDecoder, RoundTripEveryBitWidth) {
  for (int bit_width = 0; bit_width <= 32; ++bit_width) {
    for (int64_t n : {1, 7, 8, 9, 100, 1000, 5003}) {
      std::vector<uint32_t> values = MixedValues(bit_width, n, bit_width * 10007 + n);
      ByteBuffer encoded = Encode(values, bit_width);
      EXPECT_EQ(DecodeOk(encoded, bit_width, n), values) << "bit width " << bit_width << " n " << n;
    }
  }
}

TEST(RleBitPackedDecoder, UnevenBatchesMatchOneBatch) {
  for (int bit_width : {1, 3, 10, 17, 32}) {
    std::vector<uint32_t> values = MixedValues(bit_width, 20000, bit_width);
    ByteBuffer encoded = Encode(values, bit_width);
    RleBitPackedDecoder decoder;
    ASSERT_TRUE(decoder.Init(encoded, bit_width).ok());
    std::vector<uint32_t> out(values.size());
    std::mt19937_64 rng(bit_width);
    for (size_t begin = 0; begin < values.size();) {
      const size_t take = std::min<size_t>(values.size() - begin, 1 + rng() % 70);
      ASSERT_TRUE(decoder.GetBatch(out.data() + begin, static_cast<int64_t>(take)).ok());
      begin += take;
    }
    EXPECT_EQ(out, values) << bit_width;
    EXPECT_EQ(decoder.values_read(), static_cast<int64_t>(values.size()));
    EXPECT_EQ(decoder.bytes_consumed(), encoded.size());
  }
}

// NextValuesRepeat: true only when one RLE run covers the next n values, without taking any;
// a bit-packed or shorter run, an overlong header or a value wider than the bit width is
// false (the last two are errors to GetBatch after a re-Init).
TEST(RleBitPackedDecoder, NextValuesRepeatSeesOneRunCoveringTheValues) {
  RleBitPackedDecoder d;
  uint32_t value = 9;
  const ByteBuffer ten_ones = {0x14, 0x01};  // RLE: 10 x 1
  ASSERT_TRUE(d.Init(ten_ones, 1).ok());
  EXPECT_TRUE(d.NextValuesRepeat(10, &value));
  EXPECT_EQ(value, 1u);
  EXPECT_EQ(DecodeOk(ten_ones, 1, 10), std::vector<uint32_t>(10, 1));
  ASSERT_TRUE(d.Init(ten_ones, 1).ok());
  EXPECT_FALSE(d.NextValuesRepeat(11, &value));
  // Asked after part of the run is taken: what is left of it counts.
  ASSERT_TRUE(d.Init(ten_ones, 1).ok());
  std::vector<uint32_t> out(4);
  ASSERT_TRUE(d.GetBatch(out.data(), 4).ok());
  EXPECT_TRUE(d.NextValuesRepeat(6, &value));
  EXPECT_FALSE(d.NextValuesRepeat(7, &value));
  out.resize(6);
  ASSERT_TRUE(d.GetBatch(out.data(), 6).ok());
  EXPECT_EQ(out, std::vector<uint32_t>(6, 1));

  // A bit-packed group of 8 ones: not a run; GetBatch still reads it.
  const ByteBuffer packed = {0x03, 0xFF};
  ASSERT_TRUE(d.Init(packed, 1).ok());
  EXPECT_FALSE(d.NextValuesRepeat(8, &value));
  out.resize(8);
  ASSERT_TRUE(d.GetBatch(out.data(), 8).ok());
  EXPECT_EQ(out, std::vector<uint32_t>(8, 1));

  // Header (8 << 1) with bit 33 set: over 32 bits. A value of 2 at bit width 1.
  for (const ByteBuffer& bad : {ByteBuffer{0x90, 0x80, 0x80, 0x80, 0x20, 0x01},
                                ByteBuffer{0x10, 0x02}}) {
    ASSERT_TRUE(d.Init(bad, 1).ok());
    EXPECT_FALSE(d.NextValuesRepeat(8, &value));
    Status status;
    DecodeAll(bad, 1, 8, &status);
    EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  }
}

TEST(RleBitPackedDecoder, BitWidthZeroYieldsZeros) {
  ByteBuffer garbage = {0xFF, 0xFF, 0xFF};
  Status status;
  EXPECT_EQ(DecodeAll(garbage, 0, 100, &status), std::vector<uint32_t>(100, 0));
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(DecodeAll(ByteView(), 0, 5, &status), std::vector<uint32_t>(5, 0));
  EXPECT_TRUE(status.ok());
}

TEST(RleBitPackedDecoder, BitWidthAbove32IsCorruption) {
  RleBitPackedDecoder decoder;
  EXPECT_TRUE(decoder.Init(ByteView(), 33).IsCorruption());
  EXPECT_TRUE(decoder.Init(ByteView(), -1).IsCorruption());
}

TEST(RleBitPackedDecoder, PartialFinalGroupDecodesAvailableValues) {
  // Header claims 2 groups of bit width 3 (6 bytes); only the first group and 1 byte follow.
  ByteBuffer data = {0x05, 0x88, 0xC6, 0xFA, 0x88};
  // Value 8 is bits 0..2 of the 4th byte, value 9 bits 3..5: both present.
  EXPECT_EQ(DecodeOk(data, 3, 10), (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 0, 1}));
  // Value 10 would need bits 6..8: byte 5 is missing.
  Status status;
  DecodeAll(data, 3, 11, &status);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

TEST(RleBitPackedDecoder, RepeatCountOvershootIsCapped) {
  // An RLE run of 2^31 - 1 ones: the page needs only 100 of them.
  ByteBuffer data = {0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};
  EXPECT_EQ(DecodeOk(data, 1, 100), std::vector<uint32_t>(100, 1));
}

TEST(RleBitPackedDecoder, ZeroCountRunsAreSkipped) {
  // RLE run of 0 (0x00, value 5), bit-packed run of 0 groups (0x01), RLE run of 3 twos.
  EXPECT_EQ(DecodeOk({0x00, 0x05, 0x01, 0x06, 0x02}, 3, 3), std::vector<uint32_t>(3, 2));
}

TEST(RleBitPackedDecoder, OnlyZeroCountRunsIsCorruptionNotHang) {
  ByteBuffer data;
  for (int idx = 0; idx < 100000; ++idx) {
    data.push_back(0x00);  // RLE run of 0 values
    data.push_back(0x01);  // its value
  }
  Status status;
  DecodeAll(data, 8, 1, &status);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

TEST(RleBitPackedDecoder, RleValueWiderThanBitWidthIsCorruption) {
  Status status;
  DecodeAll(ByteBuffer{0x04, 0x09}, 3, 2, &status);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("wider than bit width 3"), std::string::npos) << status.message();
}

TEST(RleBitPackedDecoder, OverlongRunHeaderIsCorruption) {
  Status status;
  DecodeAll(ByteBuffer{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01}, 1, 1, &status);
  EXPECT_TRUE(status.IsCorruption());
  DecodeAll(ByteBuffer{0x80, 0x80}, 1, 1, &status);  // truncated varint
  EXPECT_TRUE(status.IsCorruption());
}

TEST(RleBitPackedDecoder, RunningOutIsCorruption) {
  ByteBuffer encoded = Encode(MixedValues(4, 100, 1), 4);
  Status status;
  DecodeAll(encoded, 4, 101 + 8, &status);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_NE(status.message().find("RLE/bit-packed hybrid"), std::string::npos);
}

// The hybrid has no length of its own, so only cuts into bytes holding needed bits are
// detectable: a cut into the zero padding of a last partial group still decodes, correctly.
TEST(RleBitPackedDecoder, TruncatedAtEveryLengthIsCorruptionOrExact) {
  for (int bit_width : {1, 5, 13, 32}) {
    std::vector<uint32_t> values = MixedValues(bit_width, 400, bit_width);
    ByteBuffer encoded = Encode(values, bit_width);
    size_t corruptions = 0;
    for (size_t length = 0; length < encoded.size(); ++length) {
      std::vector<uint8_t> truncated(encoded.begin(), encoded.begin() + length);
      Status status;
      std::vector<uint32_t> out =
          DecodeAll(ByteView(truncated.data(), truncated.size()), bit_width, 400, &status);
      if (status.ok()) {
        ASSERT_EQ(out, values) << bit_width << " " << length;
      } else {
        ASSERT_TRUE(status.IsCorruption()) << status.ToString();
        ++corruptions;
      }
    }
    // At most the padding of one partial group (< bit_width bytes) can be cut silently.
    EXPECT_GE(corruptions + bit_width, encoded.size()) << bit_width;
  }
}

TEST(RleBitPackedDecoder, TruncatedFullGroupsAreCorruption) {
  // 400 distinct-ish values never form a run, so every group is full and every byte needed.
  for (int bit_width : {3, 8, 32}) {
    std::vector<uint32_t> values(400);
    for (size_t idx = 0; idx < values.size(); ++idx) {
      values[idx] = static_cast<uint32_t>(idx * 2654435761u) & ((1ull << bit_width) - 1);
    }
    ByteBuffer encoded = Encode(values, bit_width);
    for (size_t length = 0; length < encoded.size(); ++length) {
      std::vector<uint8_t> truncated(encoded.begin(), encoded.begin() + length);
      Status status;
      DecodeAll(ByteView(truncated.data(), truncated.size()), bit_width, 400, &status);
      ASSERT_TRUE(status.IsCorruption()) << bit_width << " " << length << " " << status.ToString();
    }
  }
}

TEST(RleBitPackedDecoder, ReInitStartsOver) {
  ByteBuffer a = Encode({1, 2, 3}, 2);
  ByteBuffer b = Encode(std::vector<uint32_t>(30, 3), 2);
  RleBitPackedDecoder decoder;
  std::vector<uint32_t> out(3);
  ASSERT_TRUE(decoder.Init(a, 2).ok());
  ASSERT_TRUE(decoder.GetBatch(out.data(), 2).ok());
  ASSERT_TRUE(decoder.Init(b, 2).ok());
  ASSERT_TRUE(decoder.GetBatch(out.data(), 3).ok());
  EXPECT_EQ(out, std::vector<uint32_t>(3, 3));
}

// PackValues (whole groups through a per-width specialization, the rest bit by bit) against
// a bit-at-a-time packer, at every width and length, appended after existing bytes; and back
// through UnpackGroups.
TEST(PackValues, MatchesBitByBitPackingAtEveryWidth) {
  std::mt19937_64 rng(7);
  for (int width = 0; width <= 32; width++) {
    for (int64_t n : {0, 1, 7, 8, 9, 16, 63, 64, 65, 200}) {
      std::vector<uint32_t> values(static_cast<size_t>(n));
      // Bits above the width must be ignored.
      for (uint32_t& v : values) v = static_cast<uint32_t>(rng());
      ByteBuffer expected = {0xAB};
      expected.resize(1 + static_cast<size_t>((n * width + 7) / 8), 0);
      for (int64_t i = 0; i < n; i++) {
        for (int b = 0; b < width; b++) {
          if ((values[static_cast<size_t>(i)] >> b) & 1) {
            const int64_t bit = i * width + b;
            expected[1 + static_cast<size_t>(bit / 8)] |= static_cast<uint8_t>(1u << (bit % 8));
          }
        }
      }
      ByteBuffer packed = {0xAB};
      PackValues(values.data(), n, width, &packed);
      ASSERT_EQ(packed, expected) << "width " << width << ", " << n << " values";
      const int64_t groups = n / 8;
      std::vector<uint32_t> unpacked(static_cast<size_t>(groups * 8));
      UnpackGroups(packed.data() + 1, packed.size() - 1, width, groups, unpacked.data());
      const uint32_t mask = width == 32 ? 0xFFFFFFFFu : (1u << width) - 1;
      for (int64_t i = 0; i < groups * 8; i++) {
        ASSERT_EQ(unpacked[static_cast<size_t>(i)], values[static_cast<size_t>(i)] & mask)
            << "width " << width << ", value " << i;
      }
    }
  }
}

// Old parquet-mr example from Encodings.md: 0..7 with bit width 3, MSB first, is
// 00000101 00111001 01110111.
TEST(BitPackedLevelDecoder, SpecExampleDecodes) {
  ByteBuffer data = {0x05, 0x39, 0x77};
  BitPackedLevelDecoder decoder;
  ASSERT_TRUE(decoder.Init(data, 3).ok());
  std::vector<uint32_t> out(8);
  ASSERT_TRUE(decoder.GetBatch(out.data(), 3).ok());
  ASSERT_TRUE(decoder.GetBatch(out.data() + 3, 5).ok());
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_TRUE(decoder.GetBatch(out.data(), 1).IsCorruption());
}

TEST(BitPackedLevelDecoder, EncodedSizeRoundsUpToBytes) {
  EXPECT_EQ(BitPackedLevelDecoder::EncodedSize(8, 3), 3);
  EXPECT_EQ(BitPackedLevelDecoder::EncodedSize(9, 3), 4);
  EXPECT_EQ(BitPackedLevelDecoder::EncodedSize(1, 1), 1);
  EXPECT_EQ(BitPackedLevelDecoder::EncodedSize(100, 0), 0);
  EXPECT_EQ(BitPackedLevelDecoder::EncodedSize(int64_t{1} << 60, 32), int64_t{1} << 62);
}

TEST(BitPackedLevelDecoder, EveryBitWidthMatchesMsbFirstPacking) {
  std::mt19937_64 rng(3);
  for (int bit_width = 0; bit_width <= 32; ++bit_width) {
    const int64_t n = 77;
    std::vector<uint32_t> values(n);
    ByteBuffer data(static_cast<size_t>(BitPackedLevelDecoder::EncodedSize(n, bit_width)));
    for (int64_t idx = 0; idx < n; ++idx) {
      values[idx] = bit_width == 0 ? 0 : static_cast<uint32_t>(rng() >> (64 - bit_width));
      for (int bit = 0; bit < bit_width; ++bit) {  // MSB of the value first
        const uint64_t pos = static_cast<uint64_t>(idx) * bit_width + bit;
        if ((values[idx] >> (bit_width - 1 - bit)) & 1) data[pos / 8] |= 0x80 >> (pos % 8);
      }
    }
    BitPackedLevelDecoder decoder;
    ASSERT_TRUE(decoder.Init(data, bit_width).ok());
    std::vector<uint32_t> out(n);
    ASSERT_TRUE(decoder.GetBatch(out.data(), n).ok());
    EXPECT_EQ(out, values) << bit_width;
  }
}

TEST(BitPackedLevelDecoder, BitWidthAbove32IsCorruption) {
  BitPackedLevelDecoder decoder;
  EXPECT_TRUE(decoder.Init(ByteView(), 40).IsCorruption());
}

// UnpackGroups against a bit-by-bit reference, for every width of both value types, including
// groups that run past the end of the input (read as zero bits).
TEST(BitPacking, UnpackMatchesReferenceForEveryWidth) {
  std::mt19937_64 rng(11);
  for (int bit_width = 0; bit_width <= 64; ++bit_width) {
    ByteBuffer in(static_cast<size_t>(5 * bit_width + 3));
    for (uint8_t& byte : in) byte = static_cast<uint8_t>(rng());
    auto reference = [&](int64_t idx) {
      uint64_t v = 0;
      for (int bit = 0; bit < bit_width; ++bit) {
        const uint64_t pos = static_cast<uint64_t>(idx) * bit_width + bit;
        if (pos / 8 < in.size() && ((in[pos / 8] >> (pos % 8)) & 1)) v |= uint64_t{1} << bit;
      }
      return v;
    };
    std::vector<uint64_t> out64(48);
    UnpackGroups(in.data(), in.size(), bit_width, 6, out64.data());
    for (int64_t idx = 0; idx < 48; ++idx) ASSERT_EQ(out64[idx], reference(idx)) << bit_width;
    if (bit_width <= 32) {
      std::vector<uint32_t> out32(48);
      UnpackGroups(in.data(), in.size(), bit_width, 6, out32.data());
      for (int64_t idx = 0; idx < 48; ++idx) ASSERT_EQ(out32[idx], reference(idx)) << bit_width;
    }
  }
}

TEST(BitPacking, PackThenUnpackRoundTrips) {
  std::mt19937_64 rng(12);
  for (int bit_width = 0; bit_width <= 64; ++bit_width) {
    std::vector<uint64_t> values(40);
    for (uint64_t& v : values) v = bit_width == 0 ? 0 : rng() >> (64 - bit_width);
    ByteBuffer packed;
    PackValues(values.data(), 40, bit_width, &packed);
    ASSERT_EQ(packed.size(), static_cast<size_t>(40 * bit_width / 8));
    std::vector<uint64_t> out(40);
    UnpackGroups(packed.data(), packed.size(), bit_width, 5, out.data());
    EXPECT_EQ(out, values) << bit_width;
  }
}

TEST(BitPacking, Uleb128RoundTripsAndRejectsOverflow) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, ~uint64_t{0}}) {
    ByteBuffer buf;
    AppendUleb128(&buf, v);
    const uint8_t* p = buf.data();
    uint64_t read = 0;
    ASSERT_TRUE(ReadUleb128(&p, buf.data() + buf.size(), &read));
    EXPECT_EQ(read, v);
    EXPECT_EQ(p, buf.data() + buf.size());
  }
  ByteBuffer too_big(9, 0xFF);
  too_big.push_back(0x02);  // bit 64
  const uint8_t* p = too_big.data();
  uint64_t read = 0;
  EXPECT_FALSE(ReadUleb128(&p, too_big.data() + too_big.size(), &read));
  ByteBuffer too_long(11, 0x80);
  p = too_long.data();
  EXPECT_FALSE(ReadUleb128(&p, too_long.data() + too_long.size(), &read));
}

TEST(BitPacking, ZigZagKnownValues) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(INT64_MIN), ~uint64_t{0});
  EXPECT_EQ(ZigZagDecode(~uint64_t{0}), INT64_MIN);
  EXPECT_EQ(ZigZagDecode(~uint64_t{0} - 1), INT64_MAX);
}

}  // namespace
}  // namespace featmerge::parquet
