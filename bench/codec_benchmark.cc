// Page codec throughput (src/parquet/compression.cc): compress and decompress one 1 MiB page of
// plain-encoded DOUBLE prices, the bulk of a feature table. Compare with `zstd -b1` to see
// whether our wrapper costs anything over the library. Also the page CRC every page read or
// copied goes through (PageCrc32: ISA-L), next to zlib's crc32 it replaced.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <random>

#include "parquet/compression.h"

namespace featmerge::parquet {
namespace {

constexpr size_t kPageBytes = 1 << 20;

// A random walk of prices rounded to cents (multiplicative steps of 0.1%), with 12% of the
// values replaced by 0 as missing quotes are in our inputs. Fixed seed: every run sees the same
// page.
const ByteBuffer& PricePage() {
  static const ByteBuffer page = [] {
    std::mt19937_64 rng(20240501);
    std::normal_distribution<double> step(0.0, 0.001);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    ByteBuffer bytes(kPageBytes);
    double price = 100.0;
    for (size_t pos = 0; pos < kPageBytes; pos += sizeof(double)) {
      price *= 1.0 + step(rng);
      double value = unit(rng) < 0.12 ? 0.0 : std::round(price * 100.0) / 100.0;
      std::memcpy(bytes.data() + pos, &value, sizeof(double));
    }
    return bytes;
  }();
  return page;
}

std::unique_ptr<Codec> MakeOrSkip(benchmark::State& state, Compression id, int level) {
  auto made = MakeCodec(id, level);
  if (!made.ok()) {
    state.SkipWithError(made.status().ToString().c_str());
    return nullptr;
  }
  return std::move(made).ValueOrDie();
}

void BM_Compress(benchmark::State& state, Compression id, int level) {
  std::unique_ptr<Codec> codec = MakeOrSkip(state, id, level);
  if (codec == nullptr) return;
  const ByteBuffer& page = PricePage();
  ByteBuffer compressed;
  for (auto _ : state) {
    Status status = codec->Compress(page, &compressed);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(compressed.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPageBytes));
  state.counters["ratio"] =
      static_cast<double>(kPageBytes) / static_cast<double>(compressed.size());
}

void BM_Decompress(benchmark::State& state, Compression id, int level) {
  std::unique_ptr<Codec> codec = MakeOrSkip(state, id, level);
  if (codec == nullptr) return;
  const ByteBuffer& page = PricePage();
  ByteBuffer compressed;
  Status status = codec->Compress(page, &compressed);
  if (!status.ok()) {
    state.SkipWithError(status.ToString().c_str());
    return;
  }
  ByteBuffer out(kPageBytes);
  for (auto _ : state) {
    status = codec->Decompress(compressed, out.data(), out.size());
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPageBytes));
  state.counters["ratio"] =
      static_cast<double>(kPageBytes) / static_cast<double>(compressed.size());
}

void BM_PageCrc32(benchmark::State& state) {
  const ByteBuffer& page = PricePage();
  for (auto _ : state) benchmark::DoNotOptimize(PageCrc32(page));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPageBytes));
}
BENCHMARK(BM_PageCrc32)->Unit(benchmark::kMicrosecond);

void BM_ZlibCrc32(benchmark::State& state) {
  const ByteBuffer& page = PricePage();
  for (auto _ : state) benchmark::DoNotOptimize(crc32_z(0, page.data(), page.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPageBytes));
}
BENCHMARK(BM_ZlibCrc32)->Unit(benchmark::kMicrosecond);

#define FM_CODEC_BENCHMARKS(name, id, level)                                      \
  BENCHMARK_CAPTURE(BM_Compress, name, id, level)->Unit(benchmark::kMicrosecond); \
  BENCHMARK_CAPTURE(BM_Decompress, name, id, level)->Unit(benchmark::kMicrosecond)

FM_CODEC_BENCHMARKS(zstd_1, Compression::kZstd, 1);
FM_CODEC_BENCHMARKS(snappy, Compression::kSnappy, 0);
FM_CODEC_BENCHMARKS(lz4_raw, Compression::kLz4Raw, 0);
FM_CODEC_BENCHMARKS(gzip_6, Compression::kGzip, 6);
FM_CODEC_BENCHMARKS(none, Compression::kUncompressed, 0);
// Not in the default mix, but supported: the legacy LZ4 id and brotli at our default quality.
FM_CODEC_BENCHMARKS(lz4_hadoop, Compression::kLz4, 0);
FM_CODEC_BENCHMARKS(brotli_5, Compression::kBrotli, 5);

}  // namespace
}  // namespace featmerge::parquet

BENCHMARK_MAIN();
