// Writes the round-trip matrix for the interop tests: every physical type (and the common
// logical types) x codec x nullable/required x dictionary on/off, with several row groups and
// pages, plus a 20,000-column file. Beside each X.parquet it writes X.expected.jsonl, rendered
// from the values in memory (not by reading the file back), and X.kinds (the value kinds).
// Usage: roundtrip_writer OUT_DIR
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "io/file.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "parquet/value_text.h"

namespace featmerge::parquet {
namespace {

ColumnDescriptor Col(std::string name, Type type, LogicalType::Kind kind = LogicalType::Kind::kNone,
                     int type_length = 0) {
  ColumnDescriptor c;
  c.name = std::move(name);
  c.type = type;
  c.type_length = type_length;
  c.logical_type.kind = kind;
  return c;
}

std::vector<ColumnDescriptor> AllTypes() {
  using K = LogicalType::Kind;
  std::vector<ColumnDescriptor> cols;
  cols.push_back(Col("bool", Type::kBoolean));
  cols.push_back(Col("i32", Type::kInt32));
  auto i8 = Col("i8", Type::kInt32, K::kInteger);
  i8.logical_type.bit_width = 8;
  cols.push_back(i8);
  auto u16 = Col("u16", Type::kInt32, K::kInteger);
  u16.logical_type.bit_width = 16;
  u16.logical_type.is_signed = false;
  cols.push_back(u16);
  cols.push_back(Col("date", Type::kInt32, K::kDate));
  auto dec9 = Col("dec9_2", Type::kInt32, K::kDecimal);
  dec9.logical_type.precision = dec9.precision = 9;
  dec9.logical_type.scale = dec9.scale = 2;
  cols.push_back(dec9);
  auto time_ms = Col("time_ms", Type::kInt32, K::kTime);
  time_ms.logical_type.unit = TimeUnit::kMillis;
  cols.push_back(time_ms);
  cols.push_back(Col("i64", Type::kInt64));
  auto u64 = Col("u64", Type::kInt64, K::kInteger);
  u64.logical_type.bit_width = 64;
  u64.logical_type.is_signed = false;
  cols.push_back(u64);
  for (auto [unit, name] : {std::pair{TimeUnit::kNanos, "ts_ns"}, {TimeUnit::kMicros, "ts_us"},
                            {TimeUnit::kMillis, "ts_ms"}}) {
    auto ts = Col(name, Type::kInt64, K::kTimestamp);
    ts.logical_type.unit = unit;
    ts.logical_type.is_adjusted_to_utc = unit != TimeUnit::kMillis;
    cols.push_back(ts);
  }
  auto dec18 = Col("dec18_4", Type::kInt64, K::kDecimal);
  dec18.logical_type.precision = dec18.precision = 18;
  dec18.logical_type.scale = dec18.scale = 4;
  cols.push_back(dec18);
  auto time_us = Col("time_us", Type::kInt64, K::kTime);
  time_us.logical_type.unit = TimeUnit::kMicros;
  cols.push_back(time_us);
  cols.push_back(Col("f32", Type::kFloat));
  cols.push_back(Col("f64", Type::kDouble));
  cols.push_back(Col("str", Type::kByteArray, K::kString));
  cols.push_back(Col("bin", Type::kByteArray));
  cols.push_back(Col("json", Type::kByteArray, K::kJson));
  cols.push_back(Col("uuid", Type::kFixedLenByteArray, K::kUuid, 16));
  cols.push_back(Col("fixed5", Type::kFixedLenByteArray, K::kNone, 5));
  auto dec30 = Col("dec30_4", Type::kFixedLenByteArray, K::kDecimal, 13);
  dec30.logical_type.precision = dec30.precision = 30;
  dec30.logical_type.scale = dec30.scale = 4;
  cols.push_back(dec30);
  return cols;
}

// Deterministic values, including edge cases, with NULLs when nullable.
void Fill(const ColumnDescriptor& c, int64_t rows, bool dict_friendly, uint64_t seed, ColumnData* d) {
  std::mt19937_64 rng(seed);
  d->Reset(c.type, c.type_length);
  for (int64_t r = 0; r < rows; r++) {
    if (c.nullable && rng() % 8 == 0) {
      d->AppendNull();
      continue;
    }
    uint64_t x = dict_friendly ? rng() % 13 : rng();
    if (r < 4 && !dict_friendly) x = r == 0 ? 0 : r == 1 ? ~0ull : r == 2 ? (1ull << 63) : (1ull << 63) - 1;
    switch (c.type) {
      case Type::kBoolean: d->Append<uint8_t>(x & 1); break;
      case Type::kInt32: {
        int32_t v = static_cast<int32_t>(x);
        if (c.logical_type.kind == LogicalType::Kind::kInteger && c.logical_type.bit_width == 8) v = static_cast<int8_t>(x);
        if (c.logical_type.kind == LogicalType::Kind::kInteger && c.logical_type.bit_width == 16) v = static_cast<uint16_t>(x);
        if (c.logical_type.kind == LogicalType::Kind::kDate) v = static_cast<int32_t>(x % 40000) - 5000;
        if (c.logical_type.kind == LogicalType::Kind::kTime) v = static_cast<int32_t>(x % 86400000);
        if (c.logical_type.kind == LogicalType::Kind::kDecimal) v = static_cast<int32_t>(x % 1999999999) - 999999999;
        d->Append<int32_t>(v);
        break;
      }
      case Type::kInt64: {
        int64_t v = static_cast<int64_t>(x);
        if (c.logical_type.kind == LogicalType::Kind::kTimestamp) v = static_cast<int64_t>(x % 4000000000000ull) * 1000 - 1000000000000000ll;
        if (c.logical_type.kind == LogicalType::Kind::kTime) v = static_cast<int64_t>(x % 86400000000ull);
        if (c.logical_type.kind == LogicalType::Kind::kDecimal) v = static_cast<int64_t>(x % 1999999999999999999ull) - 999999999999999999ll;
        d->Append<int64_t>(v);
        break;
      }
      case Type::kFloat: {
        static const float kSpecial[] = {0.0f, -0.0f, 1.5f, -3.4028235e38f, 1e-45f};
        float v = r < 5 && !dict_friendly ? kSpecial[r] : static_cast<float>(static_cast<int64_t>(x % 2000001) - 1000000) / 7.0f;
        d->Append<float>(v);
        break;
      }
      case Type::kDouble: {
        static const double kSpecial[] = {0.0, -0.0, 0.1, 1e21, 5e-324};
        double v = r < 5 && !dict_friendly ? kSpecial[r] : static_cast<double>(static_cast<int64_t>(x % 20000001) - 10000000) / 3.0;
        d->Append<double>(v);
        break;
      }
      case Type::kByteArray: {
        std::string s;
        if (c.logical_type.kind == LogicalType::Kind::kJson) s = "{\"k\":" + std::to_string(x % 1000) + "}";
        else if (c.logical_type.kind == LogicalType::Kind::kString) {
          static const char* kWords[] = {"", "asia", "london", "ny", "h\xc3\xa9llo", "\xf0\x9f\x98\x80", "a\"b\\c"};
          s = std::string(kWords[x % 7]) + (dict_friendly ? "" : std::to_string(x % 100000));
          if (r == 7 && !dict_friendly) s = std::string(10000, 'x');
        } else {
          s.assign(static_cast<size_t>(x % 9), static_cast<char>(x % 251));
        }
        d->AppendValue(AsBytes(s));
        break;
      }
      case Type::kFixedLenByteArray: {
        std::vector<uint8_t> bytes(static_cast<size_t>(c.type_length));
        for (auto& b : bytes) b = static_cast<uint8_t>(dict_friendly ? x % 5 : rng());
        d->AppendValue(bytes);
        break;
      }
      default: break;
    }
  }
}

Status WriteFile(const std::string& path, const std::vector<ColumnDescriptor>& cols,
                 const WriterOptions& options, int64_t rows, int64_t rg_rows, bool dict_friendly) {
  FM_ASSIGN_OR_RETURN(auto file, io::DefaultFileSystem()->CreateForAppend(path));
  FM_ASSIGN_OR_RETURN(auto writer, ParquetFileWriter::Create(file.get(), Schema(cols), options));
  std::vector<ColumnData> data(cols.size());
  for (size_t c = 0; c < cols.size(); c++) Fill(cols[c], rows, dict_friendly, 1000 + c, &data[c]);
  EncodedChunk chunk;
  for (int64_t start = 0; start < rows || (rows == 0 && start == 0); start += rg_rows) {
    int64_t end = std::min(rows, start + rg_rows);
    for (size_t c = 0; c < cols.size(); c++) {
      ColumnChunkWriter w(cols[c], options);
      FM_RETURN_IF_ERROR(w.Write(data[c], start, end, &chunk));
      FM_RETURN_IF_ERROR(writer->AppendChunk(chunk));
    }
    FM_RETURN_IF_ERROR(writer->CloseRowGroup(end - start));
    if (rows == 0) break;
  }
  FM_RETURN_IF_ERROR(writer->Finish({{"roundtrip", std::string("featmerge")}}));
  FM_RETURN_IF_ERROR(file->Sync());
  FM_RETURN_IF_ERROR(file->Close());
  // Expected rows and value kinds.
  std::string text;
  for (int64_t r = 0; r < rows; r++) {
    text.push_back('[');
    for (size_t c = 0; c < cols.size(); c++) {
      if (c) text.push_back(',');
      AppendJsonValue(cols[c], ValueKindOf(cols[c]), data[c], r, &text);
    }
    text.append("]\n");
  }
  FM_RETURN_IF_ERROR(io::WriteFileAtomic(io::DefaultFileSystem(), path.substr(0, path.size() - 8) + ".expected.jsonl", AsBytes(text)));
  std::string kinds;
  for (size_t c = 0; c < cols.size(); c++) kinds += std::string(c ? "," : "") + ValueKindName(ValueKindOf(cols[c]));
  return io::WriteFileAtomic(io::DefaultFileSystem(), path.substr(0, path.size() - 8) + ".kinds", AsBytes(kinds + "\n"));
}

Status Main(const std::string& dir) {
  FM_RETURN_IF_ERROR(io::DefaultFileSystem()->CreateDirs(dir));
  const std::pair<Compression, const char*> codecs[] = {
      {Compression::kZstd, "zstd"}, {Compression::kSnappy, "snappy"}, {Compression::kGzip, "gzip"},
      {Compression::kLz4Raw, "lz4raw"}, {Compression::kBrotli, "brotli"}, {Compression::kUncompressed, "none"}};
  for (auto [codec, codec_name] : codecs) {
    for (bool nullable : {true, false}) {
      for (bool dict : {true, false}) {
        std::vector<ColumnDescriptor> cols = AllTypes();
        for (auto& c : cols) c.nullable = nullable;
        WriterOptions o;
        o.compression = codec;
        o.compression_level = codec == Compression::kZstd ? 3 : 0;
        o.dictionary = dict;
        o.data_page_size = 4096;  // several pages per chunk
        std::string name = std::string("rt_") + codec_name + (nullable ? "_nullable" : "_required") +
                           (dict ? "_dict" : "_plain");
        FM_RETURN_IF_ERROR(WriteFile(io::JoinPath(dir, name + ".parquet"), cols, o, 2500, 1000, dict));
      }
    }
  }
  // An empty file and a 20,000-column file.
  {
    WriterOptions o;
    std::vector<ColumnDescriptor> cols = AllTypes();
    FM_RETURN_IF_ERROR(WriteFile(io::JoinPath(dir, "rt_empty.parquet"), cols, o, 0, 1000, false));
  }
  {
    std::vector<ColumnDescriptor> cols;
    for (int i = 0; i < 20000; i++) {
      cols.push_back(Col("c" + std::to_string(i), i % 10 == 9 ? Type::kInt64 : Type::kDouble));
    }
    WriterOptions o;
    FM_RETURN_IF_ERROR(WriteFile(io::JoinPath(dir, "rt_wide_20000.parquet"), cols, o, 30, 30, false));
  }
  return Status::OK();
}

}  // namespace
}  // namespace featmerge::parquet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: roundtrip_writer OUT_DIR\n");
    return 1;
  }
  featmerge::Status s = featmerge::parquet::Main(argv[1]);
  if (!s.ok()) {
    std::fprintf(stderr, "roundtrip_writer: %s\n", s.ToString().c_str());
    return 2;
  }
  return 0;
}
