#include "merge/key_column.h"

#include <algorithm>
#include <ctime>

#include "parquet/column_reader.h"
#include "parquet/value_text.h"

namespace featmerge::merge {

using parquet::ColumnDescriptor;
using parquet::LogicalType;
using parquet::Type;

Result<KeyType> KeyTypeOf(const ColumnDescriptor& c, const std::string& file) {
  KeyType t;
  const auto kind = c.logical_type.kind;
  std::string logical = c.LogicalTypeString();
  t.description = std::string(parquet::TypeName(c.type)) + (logical.empty() ? "" : " " + logical);
  if (c.type == Type::kInt64 && kind == LogicalType::Kind::kTimestamp) {
    t.kind = KeyKind::kTimestamp;
    t.to_nanos = c.logical_type.unit == parquet::TimeUnit::kNanos    ? 1
                 : c.logical_type.unit == parquet::TimeUnit::kMicros ? 1000
                                                                      : 1000000;
    return t;
  }
  if (c.type == Type::kInt96) {
    t.kind = KeyKind::kTimestamp;
    t.to_nanos = 1;
    return t;
  }
  if (c.type == Type::kInt32 && kind == LogicalType::Kind::kDate) {
    t.kind = KeyKind::kDate;
    return t;
  }
  if ((c.type == Type::kInt32 || c.type == Type::kInt64) &&
      (kind == LogicalType::Kind::kNone || kind == LogicalType::Kind::kInteger)) {
    if (c.IsUnsignedInteger() && c.type == Type::kInt64) {
      return Status::NotSupported("key column '" + c.name + "' in '" + file +
                                  "' is UINT64, which featmerge cannot use as a join key");
    }
    t.kind = KeyKind::kInteger;
    return t;
  }
  if (c.type == Type::kByteArray &&
      (kind == LogicalType::Kind::kString || kind == LogicalType::Kind::kEnum ||
       kind == LogicalType::Kind::kNone)) {
    t.kind = KeyKind::kString;
    return t;
  }
  return Status::NotSupported("key column '" + c.name + "' in '" + file + "' has type " +
                              t.description + ", which cannot be a join key (use a timestamp, " +
                              "date, integer or string column)");
}

bool KeyTypesCompatible(const KeyType& a, const KeyType& b) { return a.kind == b.kind; }

Result<KeyColumn> ReadKeyColumn(const parquet::ParquetFileReader& file, int column,
                                const KeyType& type, StringKeyDictionary* dict, bool build_dict,
                                const KeyRowFilter& filter, parquet::ChunkReadStats* page_stats) {
  const ColumnDescriptor& c = file.schema().column(column);
  KeyColumn out;
  parquet::ColumnData data;
  size_t row = 0;
  std::vector<std::string> strings;  // spine string keys, when building the dictionary
  for (int rg = 0; rg < file.num_row_groups(); rg++) {
    data.Reset(c.type, c.type_length);
    parquet::ColumnChunkReader reader(&file, rg, column);
    // The decoded rows of this row group, as ranges: all of it, or what the filter keeps.
    std::vector<RowRange> ranges;
    int64_t rows = 0;
    if (filter) {
      FM_ASSIGN_OR_RETURN(ranges, filter(rg));
      for (const RowRange& range : ranges) {
        FM_RETURN_IF_ERROR(reader.ReadRows(range.begin, range.end, &data));
      }
      // Rows filtered out are not decoded, so the footer's count sizes this row group; the
      // filter only prunes row groups whose statistics (also footer data) bound their keys.
      rows = std::max<int64_t>(0, file.row_group(rg).num_rows);
    } else {
      FM_RETURN_IF_ERROR(reader.ReadAll(&data));
      // Sized by the rows actually decoded, never by the footer's count: a damaged footer can
      // claim billions of rows in a file of a few KB (its pages then run out, an error).
      rows = data.num_rows();
      ranges.push_back({0, rows});
    }
    if (page_stats != nullptr) {
      page_stats->pages_read += reader.stats().pages_read;
      page_stats->pages_skipped += reader.stats().pages_skipped;
      page_stats->bytes_read += reader.stats().bytes_read;
    }
    const size_t base = row;
    const size_t end = row + static_cast<size_t>(rows);
    out.values.resize(end);
    const bool gaps = data.num_rows() < rows;
    if (data.null_count() > 0 || gaps || !out.valid.empty()) out.valid.resize(end, 1);
    if (gaps) {
      // Rows outside the ranges: null keys, set back to valid below as they are decoded.
      std::fill(out.valid.begin() + static_cast<std::ptrdiff_t>(base), out.valid.end(), 0);
      out.null_count += rows - data.num_rows();
    }
    int64_t r = 0;  // row of `data`
    for (const RowRange& range : ranges) {
      const size_t range_end = base + static_cast<size_t>(range.end);
      for (row = base + static_cast<size_t>(range.begin); row < range_end; row++, r++) {
        if (gaps) out.valid[row] = 1;
        if (!data.IsValid(r)) {
          out.valid[row] = 0;
          out.null_count++;
          out.values[row] = 0;
          continue;
        }
        int64_t v = 0;
        switch (type.kind) {
          case KeyKind::kTimestamp:
            if (c.type == Type::kInt96) {
              v = parquet::Int96ToNanos(data.fixed_value(r));
            } else {
              // Wrapping multiply: absurd timestamps must not be UB (they still compare wrongly
              // only beyond year 2262 in nanoseconds, which no feature pipeline produces).
              v = static_cast<int64_t>(static_cast<uint64_t>(data.value<int64_t>(r)) *
                                       static_cast<uint64_t>(type.to_nanos));
            }
            break;
          case KeyKind::kDate:
            v = data.value<int32_t>(r);
            break;
          case KeyKind::kInteger:
            if (c.type == Type::kInt32) {
              v = c.IsUnsignedInteger() ? static_cast<int64_t>(data.value<uint32_t>(r))
                                        : data.value<int32_t>(r);
            } else {
              v = data.value<int64_t>(r);
            }
            break;
          case KeyKind::kString: {
            std::string s(AsStringView(data.binary_value(r)));
            if (build_dict) {
              strings.push_back(std::move(s));
              v = 0;  // set once the dictionary is sorted
            } else {
              auto it = std::lower_bound(dict->keys.begin(), dict->keys.end(), s);
              v = (it != dict->keys.end() && *it == s) ? (it - dict->keys.begin())
                                                       : -1;  // not in the spine: never matches
            }
            break;
          }
        }
        out.values[row] = v;
      }
    }
    row = end;
  }
  const size_t n = out.values.size();
  if (type.kind == KeyKind::kString && build_dict) {
    std::vector<std::string> sorted = strings;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    dict->keys = std::move(sorted);
    size_t k = 0;
    for (size_t r = 0; r < n; r++) {
      if (!out.IsValid(r)) continue;
      out.values[r] = std::lower_bound(dict->keys.begin(), dict->keys.end(), strings[k++]) -
                      dict->keys.begin();
    }
  }
  if (type.kind == KeyKind::kString && !build_dict) {
    // Keys absent from the spine (-1) are treated as null: they can never match.
    for (size_t r = 0; r < n; r++) {
      if (out.IsValid(r) && out.values[r] < 0) {
        if (out.valid.empty()) out.valid.assign(n, 1);
        out.valid[r] = 0;
        out.null_count++;
      }
    }
  }
  int64_t prev = INT64_MIN;
  for (size_t r = 0; r < n; r++) {
    if (!out.IsValid(r)) continue;
    if (out.values[r] < prev) {
      out.sorted = false;
      break;
    }
    prev = out.values[r];
  }
  return out;
}

std::string KeyText(const KeyType& type, int64_t value, const StringKeyDictionary* dict) {
  switch (type.kind) {
    case KeyKind::kTimestamp: {
      int64_t secs = value / 1000000000;
      int64_t nanos = value % 1000000000;
      if (nanos < 0) nanos += 1000000000, secs -= 1;
      std::time_t t = static_cast<std::time_t>(secs);
      std::tm tm_buf;
      gmtime_r(&t, &tm_buf);
      char buf[64];
      std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm_buf);
      std::string s = buf;
      if (nanos != 0) {
        char frac[16];
        std::snprintf(frac, sizeof(frac), ".%09lld", static_cast<long long>(nanos));
        s += frac;
      }
      return s + "Z";
    }
    case KeyKind::kDate: {
      std::time_t t = static_cast<std::time_t>(value * 86400);
      std::tm tm_buf;
      gmtime_r(&t, &tm_buf);
      char buf[32];
      std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm_buf);
      return buf;
    }
    case KeyKind::kInteger:
      return std::to_string(value);
    case KeyKind::kString:
      if (dict != nullptr && value >= 0 && static_cast<size_t>(value) < dict->keys.size()) {
        return "'" + dict->keys[static_cast<size_t>(value)] + "'";
      }
      return "(string key)";
  }
  return std::to_string(value);
}

}  // namespace featmerge::merge
