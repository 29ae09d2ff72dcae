#include "merge/alignment.h"

#include <algorithm>
#include <numeric>

namespace featmerge::merge {
namespace {

// Below this many runs per spine row a run list is cheaper than a dense mapping.
constexpr int64_t kRunsPerRowForDense = 16;

}  // namespace

Result<SpineIndex> BuildSpineIndex(const KeyColumn& spine, const KeyType& type,
                                   const StringKeyDictionary* dict, const std::string& spine_name) {
  SpineIndex index;
  const int64_t n = static_cast<int64_t>(spine.values.size());
  index.rows = n;
  if (n > static_cast<int64_t>(UINT32_MAX)) {
    return Status::NotSupported("the spine has more than 4,294,967,295 rows");
  }
  index.order.reserve(static_cast<size_t>(n - spine.null_count));
  for (int64_t r = 0; r < n; r++) {
    if (spine.IsValid(static_cast<size_t>(r))) index.order.push_back(static_cast<uint32_t>(r));
  }
  index.identity = spine.sorted && spine.null_count == 0;
  if (!spine.sorted) {
    std::stable_sort(index.order.begin(), index.order.end(), [&](uint32_t a, uint32_t b) {
      return spine.values[a] < spine.values[b];
    });
  }
  int64_t dup_keys = 0;
  int64_t first = 0;
  for (size_t i = 1; i < index.order.size(); i++) {
    int64_t a = spine.values[index.order[i - 1]], b = spine.values[index.order[i]];
    if (a == b && (i < 2 || spine.values[index.order[i - 2]] != a)) {
      if (dup_keys == 0) first = a;
      dup_keys++;
    }
  }
  if (dup_keys > 0) {
    return Status::InvalidArgument("the spine '" + spine_name + "' has " + std::to_string(dup_keys) +
                                   " duplicated key" + (dup_keys > 1 ? "s" : "") + " (first: " +
                                   KeyText(type, first, dict) +
                                   "); every spine key must be unique");
  }
  return index;
}

SpillFile::~SpillFile() {
  writer_.reset();
  reader_.reset();
  if (size_ > 0 || fs_->Exists(path_)) (void)fs_->Remove(path_);
}

Result<uint64_t> SpillFile::Append(const std::vector<int64_t>& values) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!writer_) {
    FM_ASSIGN_OR_RETURN(writer_, fs_->CreateForAppend(path_));
  }
  uint64_t offset = size_;
  FM_RETURN_IF_ERROR(writer_->Append(ByteView(reinterpret_cast<const uint8_t*>(values.data()),
                                              values.size() * sizeof(int64_t))));
  FM_RETURN_IF_ERROR(writer_->Flush());
  size_ += values.size() * sizeof(int64_t);
  reader_.reset();  // reopen to see the new size
  return offset;
}

Status SpillFile::Read(uint64_t offset, int64_t first, int64_t count, int64_t* out) const {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!reader_) {
    FM_ASSIGN_OR_RETURN(reader_, fs_->OpenForRead(path_));
  }
  const io::RandomAccessFile* reader = reader_.get();
  lock.unlock();
  return reader->ReadAt(offset + static_cast<uint64_t>(first) * sizeof(int64_t),
                        static_cast<uint64_t>(count) * sizeof(int64_t),
                        reinterpret_cast<uint8_t*>(out));
}

namespace {

// True when the table's keys are the spine's, row for row, all present, strictly increasing.
bool SameUniqueSortedKeys(const KeyColumn& spine, const SpineIndex& index,
                          const KeyColumn& table) {
  if (!index.identity || spine.null_count != 0 || table.null_count != 0 || !table.sorted ||
      table.values.size() != spine.values.size() ||
      index.rows != static_cast<int64_t>(spine.values.size())) {
    return false;
  }
  const std::vector<int64_t>& a = spine.values;
  const std::vector<int64_t>& b = table.values;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i] != b[i] || (i > 0 && a[i] <= a[i - 1])) return false;
  }
  return true;
}

}  // namespace

Result<Alignment> AlignTable(const KeyColumn& spine, const SpineIndex& index,
                             const KeyColumn& table, const JoinSpec& spec, SpillFile* spill,
                             DuplicateReport* dups) {
  const int64_t n_spine = index.rows;
  const int64_t n_table = static_cast<int64_t>(table.values.size());
  if (n_table > static_cast<int64_t>(UINT32_MAX)) {
    return Status::NotSupported("a table with more than 4,294,967,295 rows");
  }
  *dups = DuplicateReport();
  if (SameUniqueSortedKeys(spine, index, table) && (!spec.asof || spec.allow_exact_matches)) {
    // Row i matches row i (feature tables computed on the spine's own bars): one run, found
    // in one pass, without sorting or a row map.
    if (n_spine == 0) return Alignment::FromRuns({});
    return Alignment::FromRuns({MatchRun{0, 0, n_spine}});
  }
  // The table's rows with a key, in key order (stable: equal keys keep file order).
  std::vector<uint32_t> order;
  order.reserve(static_cast<size_t>(n_table - table.null_count));
  for (int64_t r = 0; r < n_table; r++) {
    if (table.IsValid(static_cast<size_t>(r))) order.push_back(static_cast<uint32_t>(r));
  }
  if (!table.sorted) {
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return table.values[a] < table.values[b];
    });
  }
  std::vector<int64_t> map(static_cast<size_t>(n_spine), -1);
  *dups = DuplicateReport();
  bool first_dup = true;
  int64_t last_dup_key = 0;
  size_t j = 0;
  const size_t m = order.size();
  for (size_t i = 0; i < index.order.size(); i++) {
    const uint32_t spine_row = index.order[i];
    const int64_t key = spine.values[spine_row];
    size_t lo, hi;  // equal range of the matched table key
    if (!spec.asof) {
      while (j < m && table.values[order[j]] < key) j++;
      if (j == m || table.values[order[j]] != key) continue;
      lo = j;
      hi = j + 1;
      while (hi < m && table.values[order[hi]] == key) hi++;
    } else {
      // Advance to the first table key beyond the spine key (or at it, when exact matches are
      // not allowed); the match is the key just before.
      while (j < m && (spec.allow_exact_matches ? table.values[order[j]] <= key
                                                : table.values[order[j]] < key)) {
        j++;
      }
      if (j == 0) continue;
      hi = j;
      const int64_t tkey = table.values[order[j - 1]];
      if (spec.tolerance >= 0 && key - tkey > spec.tolerance) continue;
      lo = j - 1;
      while (lo > 0 && table.values[order[lo - 1]] == tkey) lo--;
    }
    if (hi - lo > 1) {
      // Spine keys are visited in ascending order, so equal duplicated keys (as-of: several
      // spine rows matching one table key) arrive together and the first one is the smallest.
      const int64_t dkey = table.values[order[lo]];
      if (first_dup || dkey != last_dup_key) {
        if (first_dup) dups->first_key = dkey;
        dups->duplicated_keys++;
        last_dup_key = dkey;
        first_dup = false;
      }
    }
    map[spine_row] = spec.duplicates == DuplicatePolicy::kLast ? order[hi - 1] : order[lo];
  }

  Alignment out;
  // Compress the mapping into runs of consecutive matches.
  std::vector<MatchRun> runs;
  int64_t matched = 0;
  for (int64_t r = 0; r < n_spine;) {
    if (map[static_cast<size_t>(r)] < 0) {
      r++;
      continue;
    }
    int64_t start = r;
    int64_t src = map[static_cast<size_t>(r)];
    r++;
    while (r < n_spine && map[static_cast<size_t>(r)] == src + (r - start)) r++;
    runs.push_back({start, src, r - start});
    matched += r - start;
    if (static_cast<int64_t>(runs.size()) * kRunsPerRowForDense > n_spine + kRunsPerRowForDense * 64) {
      break;  // does not compress: go dense below
    }
  }
  if (static_cast<int64_t>(runs.size()) * kRunsPerRowForDense > n_spine + kRunsPerRowForDense * 64) {
    out.dense_ = true;
    out.matched_rows_ = 0;
    for (int64_t v : map) out.matched_rows_ += v >= 0;
    FM_ASSIGN_OR_RETURN(out.spill_offset_, spill->Append(map));
    return out;
  }
  out.runs_ = std::move(runs);
  out.runs_.shrink_to_fit();
  out.matched_rows_ = matched;
  return out;
}

Alignment Alignment::FromRuns(std::vector<MatchRun> runs) {
  Alignment out;
  for (const MatchRun& run : runs) out.matched_rows_ += run.length;
  out.runs_ = std::move(runs);
  out.runs_.shrink_to_fit();
  return out;
}

Status Alignment::RunsFor(int64_t begin, int64_t end, const SpillFile* spill,
                          std::vector<MatchRun>* out) const {
  out->clear();
  if (dense_) {
    std::vector<int64_t> slice(static_cast<size_t>(end - begin));
    FM_RETURN_IF_ERROR(spill->Read(spill_offset_, begin, end - begin, slice.data()));
    for (int64_t r = 0; r < end - begin;) {
      if (slice[static_cast<size_t>(r)] < 0) {
        r++;
        continue;
      }
      int64_t start = r, src = slice[static_cast<size_t>(r)];
      r++;
      while (r < end - begin && slice[static_cast<size_t>(r)] == src + (r - start)) r++;
      out->push_back({start, src, r - start});
    }
    return Status::OK();
  }
  auto it = std::upper_bound(runs_.begin(), runs_.end(), begin,
                             [](int64_t v, const MatchRun& run) { return v < run.spine_begin; });
  if (it != runs_.begin()) --it;
  for (; it != runs_.end() && it->spine_begin < end; ++it) {
    int64_t s = std::max(begin, it->spine_begin);
    int64_t e = std::min(end, it->spine_begin + it->length);
    if (s >= e) continue;
    out->push_back({s - begin, it->src_begin + (s - it->spine_begin), e - s});
  }
  return Status::OK();
}

}  // namespace featmerge::merge
