// Encode and decode throughput of a 1M-value DOUBLE column chunk (8 MB of values), for each
// encoding x codec: PLAIN and RLE_DICTIONARY through the column writer and reader (pages,
// levels, CRC, statistics included), BYTE_STREAM_SPLIT through its encoder/decoder plus the
// codec. Bytes processed = the decoded values' 8 bytes each.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "io/file.h"
#include "parquet/column_reader.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"

namespace featmerge::parquet {
namespace {

constexpr int64_t kValues = 1 << 20;
const Compression kCodecs[] = {Compression::kZstd, Compression::kSnappy, Compression::kUncompressed};

// Prices (random walk, 5 decimals) or, for the dictionary case, 64 distinct levels; 12% NULL.
ColumnData MakeData(bool low_cardinality) {
  std::mt19937_64 rng(42);
  ColumnData d(Type::kDouble, 0);
  double price = 1.1;
  for (int64_t i = 0; i < kValues; i++) {
    if (rng() % 100 < 12) {
      d.AppendNull();
      continue;
    }
    price += (static_cast<double>(rng() % 2001) - 1000.0) * 1e-7;
    d.Append<double>(low_cardinality ? static_cast<double>(rng() % 64) * 0.25
                                     : std::round(price * 1e5) / 1e5);
  }
  return d;
}

ColumnDescriptor Column() {
  ColumnDescriptor c;
  c.name = "x";
  c.type = Type::kDouble;
  return c;
}

void BM_EncodeChunk(benchmark::State& state) {
  const bool dict = state.range(0) == 1;
  WriterOptions o;
  o.compression = kCodecs[state.range(1)];
  o.dictionary = dict;
  ColumnData data = MakeData(dict);
  ColumnChunkWriter writer(Column(), o);
  EncodedChunk chunk;
  for (auto _ : state) {
    if (!writer.Write(data, 0, kValues, &chunk).ok()) state.SkipWithError("write failed");
    benchmark::DoNotOptimize(chunk.bytes.data());
  }
  state.SetBytesProcessed(state.iterations() * kValues * 8);
  state.SetLabel(std::string(dict ? "RLE_DICTIONARY" : "PLAIN") + " " + CompressionName(o.compression));
}

void BM_DecodeChunk(benchmark::State& state) {
  const bool dict = state.range(0) == 1;
  WriterOptions o;
  o.compression = kCodecs[state.range(1)];
  o.dictionary = dict;
  const std::string path = "/tmp/featmerge_column_benchmark_" + std::to_string(state.range(0)) +
                           "_" + std::to_string(state.range(1)) + ".parquet";
  {
    auto file = io::DefaultFileSystem()->CreateForAppend(path);
    auto writer = ParquetFileWriter::Create(file->get(), Schema({Column()}), o);
    EncodedChunk chunk;
    ColumnData data = MakeData(dict);
    if (!ColumnChunkWriter(Column(), o).Write(data, 0, kValues, &chunk).ok() ||
        !(*writer)->AppendChunk(chunk).ok() || !(*writer)->CloseRowGroup(kValues).ok() ||
        !(*writer)->Finish({}).ok() || !(*file)->Close().ok()) {
      state.SkipWithError("setup failed");
      return;
    }
  }
  auto reader = ParquetFileReader::Open(io::DefaultFileSystem(), path);
  ColumnData out;
  for (auto _ : state) {
    out.Reset(Type::kDouble, 0);
    ColumnChunkReader chunk(reader->get(), 0, 0);
    if (!chunk.ReadAll(&out).ok()) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(out.fixed().data());
  }
  state.SetBytesProcessed(state.iterations() * kValues * 8);
  state.SetLabel(std::string(dict ? "RLE_DICTIONARY" : "PLAIN") + " " + CompressionName(o.compression));
  (void)io::DefaultFileSystem()->Remove(path);
}

// BYTE_STREAM_SPLIT: the encoder/decoder and the codec (the writer emits PLAIN/dictionary).
void BM_ByteStreamSplitCodec(benchmark::State& state, bool encode) {
  auto codec = MakeCodec(kCodecs[state.range(0)], 1);
  auto encoder = MakeEncoder(Encoding::kByteStreamSplit, Type::kDouble, 0);
  auto decoder = MakeDecoder(Encoding::kByteStreamSplit, Type::kDouble, 0);
  ColumnData data = MakeData(false);
  ByteBuffer encoded, compressed, decompressed;
  std::vector<uint8_t> values(static_cast<size_t>(kValues) * 8);
  (*encoder)->PutFixed(data.fixed().data(), kValues);
  (*encoder)->Finish(&encoded);
  if (!(*codec)->Compress(encoded, &compressed).ok()) state.SkipWithError("compress failed");
  decompressed.resize(encoded.size());
  for (auto _ : state) {
    if (encode) {
      encoded.clear();
      (*encoder)->PutFixed(data.fixed().data(), kValues);
      (*encoder)->Finish(&encoded);
      if (!(*codec)->Compress(encoded, &compressed).ok()) state.SkipWithError("compress failed");
    } else {
      if (!(*codec)->Decompress(compressed, decompressed.data(), decompressed.size()).ok() ||
          !(*decoder)->SetData(decompressed, kValues).ok() ||
          !(*decoder)->DecodeFixed(kValues, values.data()).ok()) {
        state.SkipWithError("decode failed");
      }
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kValues * 8);
  state.SetLabel(std::string("BYTE_STREAM_SPLIT ") + CompressionName(kCodecs[state.range(0)]));
}

BENCHMARK(BM_EncodeChunk)->ArgsProduct({{0, 1}, {0, 1, 2}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeChunk)->ArgsProduct({{0, 1}, {0, 1, 2}})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ByteStreamSplitCodec, encode, true)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ByteStreamSplitCodec, decode, false)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace featmerge::parquet

BENCHMARK_MAIN();
