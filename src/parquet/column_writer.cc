#include "parquet/column_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "parquet/encoding/rle_bit_packed.h"
#include "parquet/format/thrift_codec.h"

namespace featmerge::parquet {
namespace {

// Dictionary encoding pays off only when values repeat; above this share of distinct values
// we stop building the dictionary and write PLAIN (decided on the first values, so a column
// of unique doubles costs little).
constexpr double kMaxDistinctRatio = 0.5;
constexpr int64_t kDictionaryProbeRows = 4096;
constexpr int64_t kEarlyProbeRows = 512;
constexpr double kEarlyDistinctRatio = 0.9;

// Min/max of the non-null values of rows [begin, end) for a fixed-width numeric type, in its
// sort order; NaN is skipped (format spec). Equal values keep the first seen (as
// UpdateStats). Returns false when there is no non-NaN value.
template <typename T>
bool TypedMinMax(const ColumnData& data, int64_t begin, int64_t end, std::string* min,
                 std::string* max) {
  bool have = false;
  T lo{}, hi{};
  const uint8_t* valid = data.validity().data();
  for (int64_t row = begin; row < end; row++) {
    if (!valid[row]) continue;
    T v = data.value<T>(row);
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) continue;
    }
    if (!have) {
      lo = hi = v;
      have = true;
    } else if (v < lo) {
      lo = v;
    } else if (hi < v) {
      hi = v;
    }
  }
  if (have) {
    min->assign(reinterpret_cast<const char*>(&lo), sizeof(T));
    max->assign(reinterpret_cast<const char*>(&hi), sizeof(T));
  }
  return have;
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

std::string_view AsView(ByteView v) { return AsStringView(v); }

}  // namespace

bool SupportsMinMax(const ColumnDescriptor& c) {
  using K = LogicalType::Kind;
  switch (c.type) {
    case Type::kBoolean:
    case Type::kInt32:
    case Type::kInt64:
    case Type::kFloat:
    case Type::kDouble:
      return true;
    case Type::kInt96:
      return false;  // legacy: no defined sort order
    case Type::kByteArray:
    case Type::kFixedLenByteArray:
      // Decimals sort as signed numbers, FLOAT16 as floats: leave those out; the rest sort
      // as unsigned bytes.
      return c.logical_type.kind != K::kDecimal && c.logical_type.kind != K::kFloat16 &&
             c.converted_type != ConvertedType::kInterval;
  }
  return false;
}

int CompareValues(const ColumnDescriptor& c, ByteView a, ByteView b) {
  switch (c.type) {
    case Type::kBoolean: return Cmp(a[0], b[0]);
    case Type::kInt32:
      if (c.IsUnsignedInteger()) return Cmp(LoadLE<uint32_t>(a.data()), LoadLE<uint32_t>(b.data()));
      return Cmp(LoadLE<int32_t>(a.data()), LoadLE<int32_t>(b.data()));
    case Type::kInt64:
      if (c.IsUnsignedInteger()) return Cmp(LoadLE<uint64_t>(a.data()), LoadLE<uint64_t>(b.data()));
      return Cmp(LoadLE<int64_t>(a.data()), LoadLE<int64_t>(b.data()));
    case Type::kFloat: return Cmp(LoadLE<float>(a.data()), LoadLE<float>(b.data()));
    case Type::kDouble: return Cmp(LoadLE<double>(a.data()), LoadLE<double>(b.data()));
    default: {
      int r = AsView(a).compare(AsView(b));  // unsigned bytes: char_traits<char> compares as unsigned char
      return r < 0 ? -1 : (r > 0 ? 1 : 0);
    }
  }
}

struct ColumnChunkWriter::PageStats {
  bool has_minmax = false;
  bool minmax_ok = true;  // false when a value is too long to record
  std::string min, max;
  int64_t null_count = 0;
  void Reset() {
    has_minmax = false;
    minmax_ok = true;
    min.clear();
    max.clear();
    null_count = 0;
  }
};

ColumnChunkWriter::ColumnChunkWriter(const ColumnDescriptor& column, const WriterOptions& options)
    : column_(column), options_(options) {}

void ColumnChunkWriter::SetColumn(const ColumnDescriptor& column, bool statistics) {
  if (column.type != column_.type || column.type_length != column_.type_length) plain_.reset();
  column_ = column;
  statistics_ = statistics;
}

void ColumnChunkWriter::UpdateStats(const ColumnData& data, int64_t row, PageStats* s) const {
  ByteView v = data.is_binary() ? data.binary_value(row)
                                : ByteView(data.fixed_value(row), static_cast<size_t>(data.width()));
  if (column_.type == Type::kFloat || column_.type == Type::kDouble) {
    double d = column_.type == Type::kFloat ? data.value<float>(row) : data.value<double>(row);
    if (std::isnan(d)) return;  // NaN has no place in min/max (format spec)
  }
  if (data.is_binary() && v.size() > static_cast<size_t>(options_.max_statistics_bytes)) {
    s->minmax_ok = false;
    return;
  }
  if (!s->has_minmax) {
    s->min.assign(AsView(v));
    s->max.assign(AsView(v));
    s->has_minmax = true;
    return;
  }
  if (CompareValues(column_, v, AsBytes(s->min)) < 0) s->min.assign(AsView(v));
  else if (CompareValues(column_, v, AsBytes(s->max)) > 0) s->max.assign(AsView(v));
}

bool ColumnChunkWriter::BuildDictionary(const ColumnData& data, int64_t begin, int64_t end) {
  dict_values_.Reset(column_.type, column_.type_length);
  const int64_t non_null = (end - begin);  // upper bound; nulls are skipped below
  if (!data.is_binary() && data.width() <= 8) return BuildFixedDictionary(data, begin, end);
  dict_index_.clear();
  std::unordered_map<std::string_view, uint32_t> index;
  index.reserve(1024);
  int64_t dict_bytes = 0;
  int64_t seen = 0;
  // Keys view into `data`, which outlives this call's use of the map.
  for (int64_t row = begin; row < end; row++) {
    if (!data.IsValid(row)) continue;
    ByteView v = data.is_binary() ? data.binary_value(row)
                                  : ByteView(data.fixed_value(row), static_cast<size_t>(data.width()));
    auto [it, inserted] = index.emplace(AsView(v), static_cast<uint32_t>(index.size()));
    if (inserted) {
      dict_values_.AppendValue(v);
      dict_bytes += static_cast<int64_t>(v.size()) + (data.is_binary() ? 4 : 0);
      if (dict_bytes > options_.dictionary_page_size) return false;
    }
    dict_index_.push_back(it->second);
    seen++;
    // Nearly all distinct after the first values (prices, z-scores): give up early, the
    // probe is the writer's main cost on such columns.
    if (seen == kEarlyProbeRows &&
        static_cast<double>(index.size()) > kEarlyDistinctRatio * static_cast<double>(seen)) {
      return false;
    }
    if (seen == kDictionaryProbeRows || (seen % 65536 == 0)) {
      if (static_cast<double>(index.size()) > kMaxDistinctRatio * static_cast<double>(seen)) {
        return false;
      }
    }
  }
  (void)non_null;
  return !index.empty() &&
         static_cast<double>(index.size()) <= kMaxDistinctRatio * static_cast<double>(seen);
}

// Same decisions and entry order as BuildDictionary, for values of at most 8 bytes: an
// open-addressing table of the values' bits (no allocation per value, no byte hashing).
bool ColumnChunkWriter::BuildFixedDictionary(const ColumnData& data, int64_t begin, int64_t end) {
  // The key load is specialized for the common widths: a memcpy of a runtime width is a call
  // per value, and this loop is a fifth of a merge's CPU when most columns take a dictionary.
  switch (data.width()) {
    case 8: return BuildFixedDictionaryOf<8>(data, begin, end);
    case 4: return BuildFixedDictionaryOf<4>(data, begin, end);
    default: return BuildFixedDictionaryOf<0>(data, begin, end);
  }
}

template <int kWidth>
bool ColumnChunkWriter::BuildFixedDictionaryOf(const ColumnData& data, int64_t begin, int64_t end) {
  const size_t width = kWidth > 0 ? static_cast<size_t>(kWidth) : static_cast<size_t>(data.width());
  auto key_of = [&](const uint8_t* p) {
    uint64_t k = 0;
    if constexpr (kWidth > 0) {
      std::memcpy(&k, p, static_cast<size_t>(kWidth));
    } else {
      std::memcpy(&k, p, width);
    }
    return k;
  };
  // Open addressing, key and id side by side (one cache line per probe), read through locals
  // (the compiler cannot know that stores to dict_index_ leave the table alone).
  int bits = 10;
  slots_.assign(size_t{1} << bits, Slot{0, -1});
  Slot* slots = slots_.data();
  size_t mask = slots_.size() - 1;
  auto hash = [&](uint64_t key) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
  };
  auto slot_for = [&](uint64_t key) {
    size_t i = hash(key);
    while (slots[i].id >= 0 && slots[i].key != key) i = (i + 1) & mask;
    return i;
  };
  // Only grown (zero-filling it for every chunk would cost a pass over it); the entries past
  // `seen` are stale, and EmitPage reads only the first ones.
  if (dict_index_.size() < static_cast<size_t>(end - begin)) {
    dict_index_.resize(static_cast<size_t>(end - begin));
  }
  uint32_t* index_out = dict_index_.data();
  int64_t distinct = 0, seen = 0;
  const uint8_t* valid = data.validity().data();
  const uint8_t* values = data.fixed().data();
  for (int64_t row = begin; row < end; row++) {
    if (!valid[row]) continue;
    const uint8_t* p = values + static_cast<size_t>(row) * width;
    const uint64_t key = key_of(p);
    size_t slot = slot_for(key);
    if (slots[slot].id < 0) {
      slots[slot] = Slot{key, static_cast<int32_t>(distinct++)};
      dict_values_.AppendValue(ByteView(p, width));
      if (distinct * static_cast<int64_t>(width) > options_.dictionary_page_size) return false;
      if (distinct * 2 > static_cast<int64_t>(mask + 1)) {
        // Grow and reinsert every entry (entries keep their ids).
        bits++;
        slots_.assign(size_t{1} << bits, Slot{0, -1});
        slots = slots_.data();
        mask = slots_.size() - 1;
        for (int64_t e = 0; e < distinct; e++) {
          const uint64_t k = key_of(dict_values_.fixed_value(e));
          slots[slot_for(k)] = Slot{k, static_cast<int32_t>(e)};
        }
        slot = slot_for(key);
      }
    }
    index_out[seen++] = static_cast<uint32_t>(slots[slot].id);
    if (seen == kEarlyProbeRows &&
        static_cast<double>(distinct) > kEarlyDistinctRatio * static_cast<double>(seen)) {
      return false;
    }
    if (seen == kDictionaryProbeRows || (seen % 65536 == 0)) {
      if (static_cast<double>(distinct) > kMaxDistinctRatio * static_cast<double>(seen)) return false;
    }
  }
  return distinct > 0 && static_cast<double>(distinct) <= kMaxDistinctRatio * static_cast<double>(seen);
}

Status ColumnChunkWriter::AppendPage(PageHeader header, ByteView uncompressed, EncodedChunk* out) {
  ByteView body = uncompressed;
  if (options_.compression != Compression::kUncompressed) {
    if (!codec_) {
      FM_ASSIGN_OR_RETURN(codec_, MakeCodec(options_.compression, options_.compression_level));
    }
    FM_RETURN_IF_ERROR(codec_->Compress(uncompressed, &compressed_));
    body = compressed_;
  }
  header.uncompressed_page_size = static_cast<int32_t>(uncompressed.size());
  header.compressed_page_size = static_cast<int32_t>(body.size());
  if (options_.write_crc) header.crc = static_cast<int32_t>(PageCrc32(body));
  header_buf_.clear();
  EncodePageHeader(header, &header_buf_);
  AppendBytes(&out->bytes, header_buf_);
  AppendBytes(&out->bytes, body);
  out->meta.total_uncompressed_size += static_cast<int64_t>(header_buf_.size() + uncompressed.size());
  out->meta.total_compressed_size += static_cast<int64_t>(header_buf_.size() + body.size());
  return Status::OK();
}

Status ColumnChunkWriter::EmitPage(const ColumnData& data, int64_t begin, int64_t end,
                                   bool use_dict, EncodedChunk* out, PageStats* stats) {
  const int64_t n = end - begin;
  page_body_.clear();
  stats->Reset();
  int64_t non_null = 0;
  if (column_.nullable) {
    RleBitPackedEncoder levels(1);
    const uint8_t* valid = data.validity().data();
    for (int64_t row = begin; row < end; row++) non_null += valid[row];
    if (non_null == n || non_null == 0) {
      levels.PutRepeated(non_null == n ? 1 : 0, n);  // one run: no per-row work
    } else {
      for (int64_t row = begin; row < end; row++) levels.Put(valid[row]);
    }
    page_body_.resize(4);
    levels.Finish(&page_body_);
    StoreLE<uint32_t>(page_body_.data(), static_cast<uint32_t>(page_body_.size() - 4));
  } else {
    non_null = n;
  }
  stats->null_count = n - non_null;
  const bool minmax = statistics_ && (options_.write_statistics || options_.write_page_index);
  if (minmax) {
    switch (column_.type) {
      case Type::kInt32:
        stats->has_minmax = column_.IsUnsignedInteger()
                                ? TypedMinMax<uint32_t>(data, begin, end, &stats->min, &stats->max)
                                : TypedMinMax<int32_t>(data, begin, end, &stats->min, &stats->max);
        break;
      case Type::kInt64:
        stats->has_minmax = column_.IsUnsignedInteger()
                                ? TypedMinMax<uint64_t>(data, begin, end, &stats->min, &stats->max)
                                : TypedMinMax<int64_t>(data, begin, end, &stats->min, &stats->max);
        break;
      case Type::kFloat:
        stats->has_minmax = TypedMinMax<float>(data, begin, end, &stats->min, &stats->max);
        break;
      case Type::kDouble:
        stats->has_minmax = TypedMinMax<double>(data, begin, end, &stats->min, &stats->max);
        break;
      default:
        for (int64_t row = begin; row < end; row++) {
          if (data.IsValid(row)) UpdateStats(data, row, stats);
        }
    }
  }

  DataPageHeader dp;
  dp.num_values = static_cast<int32_t>(n);
  dp.definition_level_encoding = Encoding::kRle;
  dp.repetition_level_encoding = Encoding::kRle;
  if (use_dict) {
    dp.encoding = Encoding::kRleDictionary;
    uint32_t max_index = dict_values_.num_rows() > 0 ? static_cast<uint32_t>(dict_values_.num_rows() - 1) : 0;
    int bit_width = BitWidthFor(max_index);
    page_body_.push_back(static_cast<uint8_t>(bit_width));
    RleBitPackedEncoder indices(bit_width);
    // dict_index_ holds one entry per non-null row of the chunk in order; find this page's.
    indices.PutBatch(dict_index_.data() + dict_cursor_, non_null);
    dict_cursor_ += non_null;
    indices.Finish(&page_body_);
  } else {
    dp.encoding = Encoding::kPlain;
    if (!plain_) {
      FM_ASSIGN_OR_RETURN(plain_, MakeEncoder(Encoding::kPlain, column_.type, column_.type_length));
    }
    if (data.is_binary()) {
      if (non_null == n) {
        plain_->PutByteArray(data.binary(), static_cast<size_t>(begin), static_cast<size_t>(end));
      } else {
        for (int64_t row = begin; row < end; row++) {
          if (data.IsValid(row)) plain_->PutByteArray(data.binary(), static_cast<size_t>(row), static_cast<size_t>(row + 1));
        }
      }
    } else if (non_null == n) {
      plain_->PutFixed(data.fixed_value(begin), n);
    } else {
      const size_t w = static_cast<size_t>(data.width());
      dense_.resize(static_cast<size_t>(non_null) * w);
      uint8_t* p = dense_.data();
      for (int64_t row = begin; row < end; row++) {
        if (data.IsValid(row)) {
          std::memcpy(p, data.fixed_value(row), w);
          p += w;
        }
      }
      plain_->PutFixed(dense_.data(), non_null);
    }
    plain_->Finish(&page_body_);
  }
  PageHeader header;
  header.type = PageType::kDataPage;
  header.data_page_header = dp;
  int64_t page_offset = static_cast<int64_t>(out->bytes.size());
  FM_RETURN_IF_ERROR(AppendPage(std::move(header), page_body_, out));
  PageLocation loc;
  loc.offset = page_offset;
  loc.compressed_page_size = static_cast<int32_t>(static_cast<int64_t>(out->bytes.size()) - page_offset);
  loc.first_row_index = begin - chunk_begin_;
  out->offset_index.page_locations.push_back(loc);
  return Status::OK();
}

Status ColumnChunkWriter::Write(const ColumnData& data, int64_t begin, int64_t end,
                                EncodedChunk* out) {
  out->bytes.clear();
  out->meta = ColumnMetaData();
  out->offset_index.page_locations.clear();
  out->column_index.reset();
  ColumnMetaData& md = out->meta;
  md.type = column_.type;
  md.path_in_schema = {column_.name};
  md.codec = options_.compression;
  md.num_values = end - begin;
  chunk_begin_ = begin;
  dict_cursor_ = 0;

  const bool try_dict = options_.dictionary && column_.type != Type::kBoolean && end > begin;
  const bool use_dict = try_dict && BuildDictionary(data, begin, end);
  if (use_dict) {
    // Dictionary page: the distinct values, PLAIN.
    if (!plain_) {
      FM_ASSIGN_OR_RETURN(plain_, MakeEncoder(Encoding::kPlain, column_.type, column_.type_length));
    }
    if (dict_values_.is_binary()) {
      plain_->PutByteArray(dict_values_.binary(), 0, static_cast<size_t>(dict_values_.num_rows()));
    } else {
      plain_->PutFixed(dict_values_.fixed().data(), dict_values_.num_rows());
    }
    page_body_.clear();
    plain_->Finish(&page_body_);
    PageHeader header;
    header.type = PageType::kDictionaryPage;
    DictionaryPageHeader dh;
    dh.num_values = static_cast<int32_t>(dict_values_.num_rows());
    dh.encoding = Encoding::kPlain;
    header.dictionary_page_header = dh;
    md.dictionary_page_offset = 0;
    FM_RETURN_IF_ERROR(AppendPage(std::move(header), page_body_, out));
  }
  md.data_page_offset = static_cast<int64_t>(out->bytes.size());

  // Rows per page from the target page size (values only; levels are small).
  int64_t row_bytes = data.width() > 0 ? data.width() : 16;
  if (data.is_binary() && end > begin) {
    uint64_t bytes = data.binary().offsets()[static_cast<size_t>(end)] -
                     data.binary().offsets()[static_cast<size_t>(begin)];
    row_bytes = std::max<int64_t>(1, static_cast<int64_t>(bytes / static_cast<uint64_t>(end - begin)) + 4);
  }
  if (use_dict) row_bytes = std::max<int64_t>(1, BitWidthFor(
      static_cast<uint32_t>(std::max<int64_t>(0, dict_values_.num_rows() - 1))) / 8 + 1);
  const int64_t rows_per_page = std::max<int64_t>(1, options_.data_page_size / row_bytes);

  PageStats chunk_stats, page_stats;
  ColumnIndex ci;
  bool ci_ok = statistics_ && options_.write_page_index && SupportsMinMax(column_);
  bool ascending = true, descending = true;
  std::string prev_min, prev_max;
  bool have_prev = false;
  int64_t page_count = 0;
  for (int64_t p = begin; p < end; p += rows_per_page) {
    int64_t q = std::min(end, p + rows_per_page);
    FM_RETURN_IF_ERROR(EmitPage(data, p, q, use_dict, out, &page_stats));
    page_count++;
    chunk_stats.null_count += page_stats.null_count;
    if (!page_stats.minmax_ok) chunk_stats.minmax_ok = false;
    if (page_stats.has_minmax) {
      if (!chunk_stats.has_minmax) {
        chunk_stats.min = page_stats.min;
        chunk_stats.max = page_stats.max;
        chunk_stats.has_minmax = true;
      } else {
        if (CompareValues(column_, AsBytes(page_stats.min), AsBytes(chunk_stats.min)) < 0) chunk_stats.min = page_stats.min;
        if (CompareValues(column_, AsBytes(page_stats.max), AsBytes(chunk_stats.max)) > 0) chunk_stats.max = page_stats.max;
      }
    }
    if (ci_ok) {
      bool null_page = page_stats.null_count == q - p;
      if (!null_page && (!page_stats.has_minmax || !page_stats.minmax_ok)) {
        ci_ok = false;  // e.g. an all-NaN page or an over-long string: no usable bounds
      } else {
        ci.null_pages.push_back(null_page);
        ci.min_values.push_back(null_page ? std::string() : page_stats.min);
        ci.max_values.push_back(null_page ? std::string() : page_stats.max);
        ci.null_counts.push_back(page_stats.null_count);
        if (!null_page) {
          if (have_prev) {
            if (CompareValues(column_, AsBytes(page_stats.min), AsBytes(prev_min)) < 0 ||
                CompareValues(column_, AsBytes(page_stats.max), AsBytes(prev_max)) < 0) ascending = false;
            if (CompareValues(column_, AsBytes(page_stats.min), AsBytes(prev_min)) > 0 ||
                CompareValues(column_, AsBytes(page_stats.max), AsBytes(prev_max)) > 0) descending = false;
          }
          prev_min = page_stats.min;
          prev_max = page_stats.max;
          have_prev = true;
        }
      }
    }
  }
  if (begin == end) {
    // An empty chunk still gets one (empty) data page so every reader finds a data page.
    FM_RETURN_IF_ERROR(EmitPage(data, begin, end, false, out, &page_stats));
    ci_ok = false;
  }
  if (ci_ok) {
    ci.boundary_order = ascending ? BoundaryOrder::kAscending
                                  : descending ? BoundaryOrder::kDescending : BoundaryOrder::kUnordered;
    out->column_index = std::move(ci);
  }

  md.encodings = use_dict ? std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}
                          : std::vector<Encoding>{Encoding::kPlain, Encoding::kRle};
  if (use_dict) {
    md.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
    md.encoding_stats.push_back({PageType::kDataPage, Encoding::kRleDictionary, static_cast<int32_t>(page_count)});
  } else {
    md.encoding_stats.push_back({PageType::kDataPage, Encoding::kPlain, static_cast<int32_t>(std::max<int64_t>(page_count, 1))});
  }
  if (statistics_ && options_.write_statistics) {
    Statistics st;
    st.null_count = chunk_stats.null_count;
    if (SupportsMinMax(column_) && chunk_stats.has_minmax && chunk_stats.minmax_ok) {
      std::string mn = chunk_stats.min, mx = chunk_stats.max;
      if (column_.type == Type::kFloat || column_.type == Type::kDouble) {
        // Zero bounds are written as -0.0 (min) and +0.0 (max) so readers that compare with
        // either zero keep the page (format spec).
        auto fix_zero = [&](std::string& s, bool negative) {
          if (column_.type == Type::kDouble) {
            double d = LoadLE<double>(AsBytes(s).data());
            if (d == 0) { d = negative ? -0.0 : 0.0; StoreLE(reinterpret_cast<uint8_t*>(s.data()), d); }
          } else {
            float f = LoadLE<float>(AsBytes(s).data());
            if (f == 0) { f = negative ? -0.0f : 0.0f; StoreLE(reinterpret_cast<uint8_t*>(s.data()), f); }
          }
        };
        fix_zero(mn, true);
        fix_zero(mx, false);
      }
      st.min_value = std::move(mn);
      st.max_value = std::move(mx);
    }
    md.statistics = std::move(st);
  }
  return Status::OK();
}

}  // namespace featmerge::parquet
