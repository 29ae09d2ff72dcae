// Throughput of the hot value encodings: a 1M-value DOUBLE column through PLAIN and
// BYTE_STREAM_SPLIT, dictionary indices (bit width 10) and definition levels (bit width 1, ~12%
// nulls) through the RLE/bit-packed hybrid. Bytes processed = decoded (in-memory) bytes.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "parquet/encoding/encoding.h"
#include "parquet/encoding/rle_bit_packed.h"

namespace featmerge::parquet {
namespace {

constexpr int64_t kValues = 1 << 20;

std::vector<uint8_t> RandomDoubles() {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> dist(100.0, 15.0);  // feature-like values
  std::vector<uint8_t> bytes(kValues * sizeof(double));
  for (int64_t idx = 0; idx < kValues; ++idx) {
    const double v = dist(rng);
    std::memcpy(bytes.data() + idx * sizeof(double), &v, sizeof(double));
  }
  return bytes;
}

ByteBuffer EncodeDoubles(Encoding encoding, const std::vector<uint8_t>& values) {
  auto encoder = MakeEncoder(encoding, Type::kDouble, 0);
  (*encoder)->PutFixed(values.data(), kValues);
  ByteBuffer out;
  (*encoder)->Finish(&out);
  return out;
}

void DoubleDecode(benchmark::State& state, Encoding encoding) {
  const ByteBuffer encoded = EncodeDoubles(encoding, RandomDoubles());
  auto decoder = MakeDecoder(encoding, Type::kDouble, 0);
  std::vector<uint8_t> out(kValues * sizeof(double));
  for (auto _ : state) {
    if (!(*decoder)->SetData(encoded, kValues).ok() ||
        !(*decoder)->DecodeFixed(kValues, out.data()).ok()) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kValues * sizeof(double));
  state.SetItemsProcessed(state.iterations() * kValues);
}

void DoubleEncode(benchmark::State& state, Encoding encoding) {
  const std::vector<uint8_t> values = RandomDoubles();
  auto encoder = MakeEncoder(encoding, Type::kDouble, 0);
  ByteBuffer out;
  for (auto _ : state) {
    out.clear();  // keeps capacity, as a page writer does
    (*encoder)->PutFixed(values.data(), kValues);
    (*encoder)->Finish(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kValues * sizeof(double));
  state.SetItemsProcessed(state.iterations() * kValues);
}

void BM_PlainDoubleDecode(benchmark::State& state) { DoubleDecode(state, Encoding::kPlain); }
void BM_PlainDoubleEncode(benchmark::State& state) { DoubleEncode(state, Encoding::kPlain); }
void BM_ByteStreamSplitDoubleDecode(benchmark::State& state) {
  DoubleDecode(state, Encoding::kByteStreamSplit);
}
void BM_ByteStreamSplitDoubleEncode(benchmark::State& state) {
  DoubleEncode(state, Encoding::kByteStreamSplit);
}

void HybridDecode(benchmark::State& state, int bit_width, const std::vector<uint32_t>& values) {
  RleBitPackedEncoder encoder(bit_width);
  for (uint32_t v : values) encoder.Put(v);
  ByteBuffer encoded;
  encoder.Finish(&encoded);
  std::vector<uint32_t> out(values.size());
  RleBitPackedDecoder decoder;
  // Column readers decode a batch of a few thousand values at a time.
  const int64_t batch = state.range(0);
  for (auto _ : state) {
    if (!decoder.Init(encoded, bit_width).ok()) break;
    for (int64_t done = 0; done < static_cast<int64_t>(values.size()); done += batch) {
      const int64_t take = std::min<int64_t>(batch, static_cast<int64_t>(values.size()) - done);
      if (!decoder.GetBatch(out.data() + done, take).ok()) {
        state.SkipWithError("decode failed");
        return;
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * values.size() * sizeof(uint32_t));
  state.SetItemsProcessed(state.iterations() * values.size());
  state.counters["encoded_bytes"] = static_cast<double>(encoded.size());
}

void BM_RleDictionaryIndicesDecode(benchmark::State& state) {
  // Indices into a 1024-entry dictionary: mostly distinct neighbours, some repeats.
  std::mt19937_64 rng(7);
  std::vector<uint32_t> values(kValues);
  for (int64_t idx = 0; idx < kValues; ++idx) {
    values[idx] =
        idx > 0 && rng() % 10 == 0 ? values[idx - 1] : static_cast<uint32_t>(rng() % 1024);
  }
  HybridDecode(state, 10, values);
}

void BM_DefinitionLevelDecode(benchmark::State& state) {
  // Bit width 1, ~12% nulls scattered at random.
  std::mt19937_64 rng(9);
  std::vector<uint32_t> values(kValues);
  for (uint32_t& level : values) level = rng() % 100 < 12 ? 0 : 1;
  HybridDecode(state, 1, values);
}

BENCHMARK(BM_PlainDoubleDecode)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PlainDoubleEncode)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ByteStreamSplitDoubleDecode)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ByteStreamSplitDoubleEncode)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RleDictionaryIndicesDecode)->Arg(4096)->Arg(kValues)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DefinitionLevelDecode)->Arg(4096)->Arg(kValues)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace featmerge::parquet

BENCHMARK_MAIN();
