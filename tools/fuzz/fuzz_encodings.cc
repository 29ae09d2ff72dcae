// libFuzzer target for every value decoder, the RLE/bit-packed hybrid and the BIT_PACKED level
// layout. Input: 6 header bytes, then the page data.
//   byte 0: target (see kTargets / the hybrid and level modes)
//   byte 1: physical type (mod 8); byte 2: type_length or bit width
//   bytes 3-4: num_values (little endian, 14 bits); byte 5: seed for the batch sizes
// Whatever decodes successfully is re-encoded and decoded again; a mismatch traps, so the fuzzer
// also checks that decoders and encoders agree.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "parquet/encoding/encoding.h"
#include "parquet/encoding/rle_bit_packed.h"

namespace featmerge::parquet {
namespace {

constexpr Encoding kTargets[] = {Encoding::kPlain,
                                 Encoding::kRle,
                                 Encoding::kDeltaBinaryPacked,
                                 Encoding::kDeltaLengthByteArray,
                                 Encoding::kDeltaByteArray,
                                 Encoding::kByteStreamSplit};
constexpr int kNumTargets = sizeof(kTargets) / sizeof(kTargets[0]);

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

class BatchSizes {
 public:
  explicit BatchSizes(uint8_t seed) : state_(seed * 2654435761u + 1) {}
  int64_t Next(int64_t left) {
    state_ = state_ * 1103515245u + 12345u;
    return std::min<int64_t>(left, 1 + (state_ >> 16) % 200);
  }

 private:
  uint32_t state_;
};

// Decodes n values; true if all decoded. Non-Corruption errors trap: the decoders must
// classify damaged data as Corruption.
bool DecodePage(Decoder* decoder, Type type, int width, ByteView data, int64_t n, uint8_t seed,
                std::vector<uint8_t>* fixed, ByteArrayVector* arrays) {
  Status status = decoder->SetData(data, n);
  if (!status.ok()) {
    Check(status.IsCorruption());
    return false;
  }
  fixed->assign(type == Type::kByteArray ? 0 : static_cast<size_t>(n) * width, 0);
  arrays->Clear();
  BatchSizes batches(seed);
  for (int64_t done = 0; done < n;) {
    const int64_t take = batches.Next(n - done);
    status = type == Type::kByteArray ? decoder->DecodeByteArray(take, arrays)
                                      : decoder->DecodeFixed(take, fixed->data() + done * width);
    if (!status.ok()) {
      Check(status.IsCorruption());
      return false;
    }
    done += take;
  }
  return true;
}

void FuzzDecoder(Encoding encoding, Type type, int type_length, ByteView data, int64_t n,
                 uint8_t seed) {
  auto decoder = MakeDecoder(encoding, type, type_length);
  if (!decoder.ok()) return;
  const int width = FixedWidth(type, type_length);
  std::vector<uint8_t> fixed;
  ByteArrayVector arrays;
  if (!DecodePage(decoder->get(), type, width, data, n, seed, &fixed, &arrays)) return;

  // Round trip what was decoded: the encoder's page must decode to the same values.
  auto encoder = MakeEncoder(encoding, type, type_length);
  Check(encoder.ok());
  if (type == Type::kByteArray) {
    (*encoder)->PutByteArray(arrays, 0, arrays.size());
  } else {
    (*encoder)->PutFixed(fixed.data(), n);
  }
  ByteBuffer encoded;
  (*encoder)->Finish(&encoded);
  std::vector<uint8_t> fixed2;
  ByteArrayVector arrays2;
  Check(DecodePage(decoder->get(), type, width, encoded, n, seed ^ 0x5A, &fixed2, &arrays2));
  Check(fixed == fixed2);
  Check(arrays.offsets() == arrays2.offsets() && arrays.data() == arrays2.data());
}

void FuzzHybrid(ByteView data, int bit_width, int64_t n, uint8_t seed) {
  RleBitPackedDecoder decoder;
  Status status = decoder.Init(data, bit_width);
  if (!status.ok()) {
    Check(status.IsCorruption() && (bit_width < 0 || bit_width > 32));
    return;
  }
  std::vector<uint32_t> values(static_cast<size_t>(n));
  BatchSizes batches(seed);
  for (int64_t done = 0; done < n;) {
    const int64_t take = batches.Next(n - done);
    status = decoder.GetBatch(values.data() + done, take);
    if (!status.ok()) {
      Check(status.IsCorruption());
      return;
    }
    done += take;
  }
  Check(decoder.bytes_consumed() <= data.size());
  RleBitPackedEncoder encoder(bit_width);
  for (uint32_t v : values) encoder.Put(v);
  ByteBuffer encoded;
  encoder.Finish(&encoded);
  // PutBatch, in the decoder's batch sizes, must write exactly the bytes of one Put a value.
  RleBitPackedEncoder batched(bit_width);
  BatchSizes put_batches(static_cast<uint8_t>(seed + 1));
  for (int64_t done = 0; done < n;) {
    const int64_t take = put_batches.Next(n - done);
    batched.PutBatch(values.data() + done, take);
    done += take;
  }
  ByteBuffer batched_encoded;
  batched.Finish(&batched_encoded);
  Check(batched_encoded == encoded);
  std::vector<uint32_t> again(static_cast<size_t>(n));
  Check(decoder.Init(encoded, bit_width).ok());
  Check(decoder.GetBatch(again.data(), n).ok());
  Check(values == again);
}

void FuzzBitPackedLevels(ByteView data, int bit_width, int64_t n, uint8_t seed) {
  BitPackedLevelDecoder decoder;
  if (!decoder.Init(data, bit_width).ok()) return;
  std::vector<uint32_t> values(static_cast<size_t>(n));
  BatchSizes batches(seed);
  for (int64_t done = 0; done < n;) {
    const int64_t take = batches.Next(n - done);
    Status status = decoder.GetBatch(values.data() + done, take);
    if (!status.ok()) {
      Check(status.IsCorruption());
      Check(BitPackedLevelDecoder::EncodedSize(done + take, bit_width) >
            static_cast<int64_t>(data.size()));
      return;
    }
    done += take;
  }
}

}  // namespace
}  // namespace featmerge::parquet

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  using namespace featmerge::parquet;  // NOLINT: fuzz entry point
  if (size < 6) return 0;
  const uint8_t target = input[0];
  const Type type = static_cast<Type>(input[1] % 8);
  const int param = input[2];
  // Capped so that one input stays fast; the column reader bounds real counts by row counts.
  const int64_t n = (input[3] | (input[4] << 8)) & 0x3FFF;
  const uint8_t seed = input[5];
  const featmerge::ByteView data(input + 6, size - 6);
  const int mode = target % (kNumTargets + 2);
  if (mode < kNumTargets) {
    FuzzDecoder(kTargets[mode], type, param % 20, data, n, seed);
  } else if (mode == kNumTargets) {
    FuzzHybrid(data, param % 40, n, seed);
  } else {
    FuzzBitPackedLevels(data, param % 40, n, seed);
  }
  return 0;
}
