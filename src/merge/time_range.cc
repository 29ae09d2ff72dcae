#include "merge/time_range.h"

#include <cctype>
#include <cstring>
#include <limits>
#include <optional>

#include "base/units.h"
#include "merge/plan.h"
#include "parquet/column_reader.h"

namespace featmerge::merge {
namespace {

constexpr int64_t kNanosPerDay = 86400LL * 1000000000LL;

// Days since 1970-01-01 of a proleptic Gregorian date (the usual era-based civil-to-days
// computation: years are shifted to start in March so leap days come last).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool ParseInteger(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
  if (i == text.size()) return false;
  __int128 v = 0;
  for (; i < text.size(); i++) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    v = v * 10 + (text[i] - '0');
    if (v > std::numeric_limits<int64_t>::max()) return false;
  }
  *out = static_cast<int64_t>(text[0] == '-' ? -v : v);
  return true;
}

// Reads exactly `n` digits at text[*pos].
bool Digits(const std::string& text, size_t* pos, int n, int64_t* out) {
  int64_t v = 0;
  for (int k = 0; k < n; k++) {
    if (*pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[*pos]))) return false;
    v = v * 10 + (text[(*pos)++] - '0');
  }
  *out = v;
  return true;
}

// ISO-8601 "YYYY-MM-DD[(T| )HH:MM[:SS[.fffffffff]]][Z|(+|-)HH[:]MM]" as nanoseconds since the
// epoch, UTC. False when the text is not of that form or a field is out of range.
bool ParseIso(const std::string& text, int64_t* nanos, bool* has_time) {
  size_t p = 0;
  int64_t year, month, day, hour = 0, minute = 0, second = 0, frac = 0;
  if (!Digits(text, &p, 4, &year) || p >= text.size() || text[p++] != '-' ||
      !Digits(text, &p, 2, &month) || p >= text.size() || text[p++] != '-' ||
      !Digits(text, &p, 2, &day)) {
    return false;
  }
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return false;
  *has_time = false;
  if (p < text.size() && (text[p] == 'T' || text[p] == 't' || text[p] == ' ')) {
    p++;
    *has_time = true;
    if (!Digits(text, &p, 2, &hour) || p >= text.size() || text[p++] != ':' ||
        !Digits(text, &p, 2, &minute)) {
      return false;
    }
    if (p < text.size() && text[p] == ':') {
      p++;
      if (!Digits(text, &p, 2, &second)) return false;
      if (p < text.size() && (text[p] == '.' || text[p] == ',')) {
        p++;
        int digits = 0;
        while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) {
          if (digits < 9) frac = frac * 10 + (text[p] - '0');
          digits++;
          p++;
        }
        if (digits == 0) return false;
        for (int k = digits; k < 9; k++) frac *= 10;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return false;
  }
  int64_t offset_minutes = 0;
  if (p < text.size() && (text[p] == 'Z' || text[p] == 'z')) {
    p++;
  } else if (p < text.size() && (text[p] == '+' || text[p] == '-')) {
    const int sign = text[p++] == '-' ? -1 : 1;
    int64_t oh, om = 0;
    if (!Digits(text, &p, 2, &oh)) return false;
    if (p < text.size() && text[p] == ':') p++;
    if (p < text.size() && !Digits(text, &p, 2, &om)) return false;
    if (oh > 23 || om > 59) return false;
    offset_minutes = sign * (oh * 60 + om);
  }
  if (p != text.size()) return false;
  const int64_t days = DaysFromCivil(year, month, day);
  // Years 1678..2261 fit in int64 nanoseconds.
  if (days < -106751 || days > 106750) return false;
  *nanos = days * kNanosPerDay + ((hour * 60 + minute - offset_minutes) * 60 + second) *
                                     1000000000LL + frac;
  return true;
}

int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? INT64_MIN : INT64_MAX;
  return r;
}

// A little-endian INT32/INT64 statistic as a normalized key; false when it cannot be used.
bool StatValue(const parquet::ColumnDescriptor& c, const KeyType& type, const std::string& bytes,
               int64_t* out) {
  if (c.type == parquet::Type::kInt64 && bytes.size() == 8) {
    int64_t v;
    std::memcpy(&v, bytes.data(), 8);
    if (type.kind == KeyKind::kTimestamp) {
      if (__builtin_mul_overflow(v, type.to_nanos, out)) *out = v < 0 ? INT64_MIN : INT64_MAX;
      return true;
    }
    *out = v;
    return type.kind == KeyKind::kInteger;
  }
  if (c.type == parquet::Type::kInt32 && bytes.size() == 4) {
    int32_t v;
    std::memcpy(&v, bytes.data(), 4);
    *out = c.IsUnsignedInteger() ? static_cast<int64_t>(static_cast<uint32_t>(v)) : v;
    return type.kind == KeyKind::kInteger || type.kind == KeyKind::kDate;
  }
  return false;  // INT96 and strings: no pruning
}

// The normalized [min, max] of a chunk from its statistics; false when unknown.
bool ChunkBounds(const parquet::ColumnDescriptor& c, const KeyType& type,
                 const parquet::Statistics& s, int64_t* lo, int64_t* hi) {
  if (s.min_value && s.max_value) {
    return StatValue(c, type, *s.min_value, lo) && StatValue(c, type, *s.max_value, hi);
  }
  // Legacy min/max are in signed order: right for signed integers only.
  if (s.min && s.max && !c.IsUnsignedInteger()) {
    return StatValue(c, type, *s.min, lo) && StatValue(c, type, *s.max, hi);
  }
  return false;
}

bool Disjoint(int64_t min, int64_t max, const KeyRange& range) {
  return max < range.lo || min >= range.hi;
}

}  // namespace

Result<int64_t> ParseKeyTime(const std::string& text, const KeyType& type,
                             const std::string& option) {
  int64_t v = 0;
  switch (type.kind) {
    case KeyKind::kString:
      return Status::InvalidArgument(option + " needs a timestamp, date or integer key; the key is " +
                                     type.description);
    case KeyKind::kInteger:
      if (ParseInteger(text, &v)) return v;
      return Status::InvalidArgument(option + " '" + text + "': the key is " + type.description +
                                     ", give an integer");
    case KeyKind::kDate: {
      if (ParseInteger(text, &v)) return v;  // days since 1970-01-01
      int64_t nanos = 0;
      bool has_time = false;
      if (ParseIso(text, &nanos, &has_time)) {
        if (nanos % kNanosPerDay != 0) {
          return Status::InvalidArgument(option + " '" + text + "': the key is a DATE, give a " +
                                         "date without a time of day (e.g. 2024-01-01)");
        }
        return nanos / kNanosPerDay;
      }
      return Status::InvalidArgument(option + " '" + text +
                                     "': expected a date like 2024-01-01 or a day number");
    }
    case KeyKind::kTimestamp: {
      if (ParseInteger(text, &v)) {
        // In the spine's stored unit.
        int64_t nanos;
        if (__builtin_mul_overflow(v, type.to_nanos, &nanos)) {
          return Status::InvalidArgument(option + " '" + text + "' is out of range");
        }
        return nanos;
      }
      int64_t nanos = 0;
      bool has_time = false;
      if (ParseIso(text, &nanos, &has_time)) return nanos;
      return Status::InvalidArgument(
          option + " '" + text + "': expected an ISO-8601 UTC time (2024-01-01, " +
          "2024-01-01T09:30:00Z) or an integer in the key's unit");
    }
  }
  return Status::InvalidArgument(option + ": unsupported key");
}

Result<KeyRange> ResolveKeyRange(const MergeOptions& o, const KeyType& type) {
  KeyRange range;
  if (o.from.empty() && o.to.empty()) return range;
  range.active = true;
  if (!o.from.empty()) {
    FM_ASSIGN_OR_RETURN(range.lo, ParseKeyTime(o.from, type, "--from"));
  }
  if (!o.to.empty()) {
    FM_ASSIGN_OR_RETURN(range.hi, ParseKeyTime(o.to, type, "--to"));
  }
  if (range.hi <= range.lo) {
    return Status::InvalidArgument("--from " + o.from + " is not before --to " + o.to +
                                   " (--from is inclusive, --to exclusive)");
  }
  return range;
}

Result<int64_t> ParseTolerance(const std::string& text, const KeyType& type) {
  int64_t v = 0;
  const bool integer = ParseInteger(text, &v);
  if (integer && v < 0) return Status::InvalidArgument("tolerance '" + text + "' is negative");
  switch (type.kind) {
    case KeyKind::kString:
      return Status::InvalidArgument("a tolerance needs a timestamp, date or integer key");
    case KeyKind::kInteger:
      if (integer) return v;
      return Status::InvalidArgument("tolerance '" + text + "': the key is " + type.description +
                                     ", give a non-negative integer");
    case KeyKind::kDate: {
      if (integer) return v;
      auto nanos = ParseDuration(text);
      if (!nanos.ok() || *nanos % kNanosPerDay != 0) {
        return Status::InvalidArgument("tolerance '" + text +
                                       "': the key is a DATE, give whole days (3d or 3)");
      }
      return *nanos / kNanosPerDay;
    }
    case KeyKind::kTimestamp: {
      if (integer && v == 0) return 0;
      auto nanos = ParseDuration(text);
      if (!nanos.ok()) {
        return Status::InvalidArgument("tolerance '" + text +
                                       "': expected a duration such as 90s, 15m, 2h, 1d");
      }
      if (*nanos < 0) return Status::InvalidArgument("tolerance '" + text + "' is negative");
      return *nanos;
    }
  }
  return Status::InvalidArgument("tolerance: unsupported key");
}

KeyRange TableKeyRange(const KeyRange& spine_range, bool asof, int64_t tolerance) {
  KeyRange r = spine_range;
  if (!r.active) return r;
  if (asof) r.lo = tolerance >= 0 ? SaturatingSub(r.lo, tolerance) : INT64_MIN;
  return r;
}

KeyRowFilter RangeRowFilter(const parquet::ParquetFileReader& file, int column,
                            const KeyType& type, const KeyRange& range, KeyReadStats* stats) {
  return [&file, column, type, range, stats](int rg) -> Result<std::vector<RowRange>> {
    const int64_t rows = file.row_group(rg).num_rows;
    std::vector<RowRange> out;
    if (rows <= 0) return out;
    const parquet::ColumnDescriptor& c = file.schema().column(column);
    const parquet::ColumnMetaData& meta = file.column_meta(rg, column);
    if (meta.statistics) {
      const parquet::Statistics& s = *meta.statistics;
      int64_t min = 0, max = 0;
      const bool all_null = s.null_count && *s.null_count >= meta.num_values;
      if (all_null || (ChunkBounds(c, type, s, &min, &max) && Disjoint(min, max, range))) {
        stats->row_groups_skipped++;
        return out;
      }
    }
    stats->row_groups_read++;
    // Within the row group: pages whose column-index bounds exclude the range are left out.
    // Page indexes are optional metadata: one that does not decode or contradicts the chunk
    // is ignored (the row group is read whole), as the column reader does. A failed read is
    // an error.
    auto column_index_read = file.ReadColumnIndex(rg, column);
    auto offset_index_read = file.ReadOffsetIndex(rg, column);
    for (const Status& s : {column_index_read.status(), offset_index_read.status()}) {
      if (s.IsIOError()) return s;
    }
    std::optional<parquet::ColumnIndex> column_index;
    std::optional<parquet::OffsetIndex> offset_index;
    if (column_index_read.ok()) column_index = std::move(column_index_read).value();
    if (offset_index_read.ok()) offset_index = std::move(offset_index_read).value();
    uint64_t chunk_start = 0, chunk_length = 0;
    file.ChunkRange(rg, column, &chunk_start, &chunk_length);
    if (!column_index || !offset_index ||
        !parquet::UsableOffsetIndex(offset_index->page_locations, chunk_start, chunk_length, rows) ||
        column_index->min_values.size() != offset_index->page_locations.size() ||
        column_index->max_values.size() != offset_index->page_locations.size() ||
        column_index->null_pages.size() != offset_index->page_locations.size()) {
      out.push_back({0, rows});
      return out;
    }
    const auto& pages = offset_index->page_locations;
    for (size_t p = 0; p < pages.size(); p++) {
      const int64_t begin = std::clamp<int64_t>(pages[p].first_row_index, 0, rows);
      const int64_t end =
          p + 1 < pages.size() ? std::clamp<int64_t>(pages[p + 1].first_row_index, begin, rows) : rows;
      if (begin >= end) continue;
      int64_t min = 0, max = 0;
      bool keep = true;
      if (column_index->null_pages[p]) {
        keep = false;  // null keys never match
      } else if (StatValue(c, type, column_index->min_values[p], &min) &&
                 StatValue(c, type, column_index->max_values[p], &max)) {
        keep = !Disjoint(min, max, range);
      }
      if (!keep) continue;
      if (!out.empty() && out.back().end == begin) {
        out.back().end = end;
      } else {
        out.push_back({begin, end});
      }
    }
    return out;
  };
}

Status PlanKeyRange(MergePlan* plan, io::FileSystem* fs) {
  SourceTable& spine = plan->tables[0];
  FM_ASSIGN_OR_RETURN(plan->range, ResolveKeyRange(plan->options, spine.key_type));
  if (!plan->range.active) return Status::OK();
  FM_ASSIGN_OR_RETURN(auto reader, ReopenSource(fs, spine));
  // Not counted in plan->key_stats: AlignTables reads these keys again and counts them then.
  KeyReadStats uncounted;
  FM_ASSIGN_OR_RETURN(
      KeyColumn keys,
      ReadKeyColumn(*reader, spine.key_column, spine.key_type, nullptr, false,
                    RangeRowFilter(*reader, spine.key_column, spine.key_type, plan->range,
                                   &uncounted)));
  std::vector<MatchRun> runs;
  int64_t rows = 0;
  const int64_t n = static_cast<int64_t>(keys.values.size());
  for (int64_t r = 0; r < n; r++) {
    if (!keys.IsValid(static_cast<size_t>(r)) || !plan->range.Contains(keys.values[static_cast<size_t>(r)])) {
      continue;
    }
    if (!runs.empty() && runs.back().src_begin + runs.back().length == r) {
      runs.back().length++;
    } else {
      runs.push_back({rows, r, 1});
    }
    rows++;
  }
  spine.alignment = Alignment::FromRuns(std::move(runs));
  plan->rows = rows;
  plan->checks.push_back({"key range", KeyRangeText(plan->range, spine.key_type) + ": " +
                                           std::to_string(rows) + " of " +
                                           std::to_string(spine.num_rows) + " spine rows"});
  return Status::OK();
}

Result<KeyColumn> ReadSpineKeys(MergePlan* plan, const parquet::ParquetFileReader& reader) {
  const SourceTable& spine = plan->tables[0];
  if (!plan->range.active) {
    return ReadKeyColumn(reader, spine.key_column, spine.key_type, &plan->string_keys, true);
  }
  parquet::ChunkReadStats pages;
  FM_ASSIGN_OR_RETURN(
      KeyColumn all,
      ReadKeyColumn(reader, spine.key_column, spine.key_type, nullptr, false,
                    RangeRowFilter(reader, spine.key_column, spine.key_type, plan->range,
                                   &plan->key_stats),
                    &pages));
  plan->key_stats.pages_read += pages.pages_read;
  plan->key_stats.pages_skipped += pages.pages_skipped;
  // The output's rows: the spine rows in the range, in spine order (as PlanKeyRange chose).
  KeyColumn out;
  out.values.reserve(static_cast<size_t>(plan->rows));
  int64_t prev = INT64_MIN;
  for (size_t r = 0; r < all.values.size(); r++) {
    if (!all.IsValid(r) || !plan->range.Contains(all.values[r])) continue;
    out.values.push_back(all.values[r]);
    if (all.values[r] < prev) out.sorted = false;
    prev = all.values[r];
  }
  if (static_cast<int64_t>(out.values.size()) != plan->rows) {
    return Status::Corruption("the spine '" + spine.path + "' changed while the merge ran: " +
                              std::to_string(out.values.size()) + " rows in the key range, " +
                              std::to_string(plan->rows) + " when planned");
  }
  return out;
}

Result<KeyColumn> ReadTableKeys(MergePlan* plan, const SourceTable& t,
                                const parquet::ParquetFileReader& reader) {
  if (!plan->range.active) {
    return ReadKeyColumn(reader, t.key_column, t.key_type, &plan->string_keys, false);
  }
  const KeyRange range = TableKeyRange(plan->range, t.join.asof, t.join.tolerance);
  parquet::ChunkReadStats pages;
  FM_ASSIGN_OR_RETURN(
      KeyColumn keys,
      ReadKeyColumn(reader, t.key_column, t.key_type, &plan->string_keys, false,
                    RangeRowFilter(reader, t.key_column, t.key_type, range, &plan->key_stats),
                    &pages));
  plan->key_stats.pages_read += pages.pages_read;
  plan->key_stats.pages_skipped += pages.pages_skipped;
  return keys;
}

std::string KeyRangeText(const KeyRange& range, const KeyType& type) {
  if (!range.active) return "all";
  std::string from = range.lo == INT64_MIN ? "-inf" : KeyText(type, range.lo, nullptr);
  std::string to = range.hi == INT64_MAX ? "+inf" : KeyText(type, range.hi, nullptr);
  return "[" + from + ", " + to + ")";
}

}  // namespace featmerge::merge
