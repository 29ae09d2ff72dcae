#include "pipeline/generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "base/hash.h"
#include "io/file.h"
#include "parquet/column_data.h"
#include "parquet/column_writer.h"
#include "parquet/file_writer.h"
#include "parquet/schema.h"

namespace featmerge::pipeline {
namespace {

using parquet::ColumnData;
using parquet::ColumnDescriptor;
using parquet::Schema;
using parquet::TimeUnit;
using parquet::Type;
using Clock = std::chrono::steady_clock;

constexpr int64_t kEpoch2024 = 1704067200;  // 2024-01-01T00:00:00Z in seconds
constexpr int64_t kMaxStartOffsetMinutes = 30 * 24 * 60;
constexpr const char* kKeyName = "interval_time";
constexpr const char* kMarkerName = "_COMPLETE";
constexpr const char* kTempSuffix = ".tmp";

// ---- Randomness -----------------------------------------------------------------------------
// Every stream is seeded from a hash of what it generates (seed, pair, table, column), so a
// file's bytes do not depend on which thread wrote it or in which order.

uint64_t Mix64(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
uint64_t Combine(uint64_t a, uint64_t b) { return Mix64(a ^ Mix64(b)); }
uint64_t HashName(std::string_view s) { return Fnv64().Add(s).value(); }

// xoshiro256**: a few cycles per draw, which matters at hundreds of millions of values.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) word = seed = Mix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  int64_t Below(int64_t n) {
    return n <= 1 ? 0 : static_cast<int64_t>(Next() % static_cast<uint64_t>(n));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Triangular on (-1, 1) from one draw: bell-shaped enough for random-walk steps, and much
  // cheaper than a Gaussian.
  double Noise() {
    const uint64_t r = Next();
    return static_cast<double>((r >> 32) + (r & 0xffffffffu)) * 0x1.0p-32 - 1.0;
  }
  double Normal() {  // Box-Muller; used for plans only, not per value
    const double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Rounds to `scale` decimals the way real feature files look (prices to 1e-5).
double RoundTo(double x, double scale) {
  const double scaled = x * scale;
  return static_cast<double>(static_cast<int64_t>(scaled + (scaled >= 0 ? 0.5 : -0.5))) / scale;
}

// ---- Plans ----------------------------------------------------------------------------------
// A plan says what each feature table looks like. It depends on the seed only (not on the pair),
// so every pair has the same tables and columns, as in the real extraction.

enum class Kind : uint8_t { kWalk, kZScore, kRegime, kSession, kCount, kFlag };

struct ColumnPlan {
  std::string name;
  Kind kind = Kind::kWalk;
  bool all_null = false;
  int64_t warmup = 0;    // leading rows that are NULL: a rolling window not yet filled
  double null_rate = 0;  // share of the other rows that are NULL, scattered
};

struct TablePlan {
  std::string name;
  std::vector<ColumnPlan> columns;  // the key excluded
  bool gaps = false;
  bool extra_before = false, extra_after = false, extra_between = false;
  bool unsorted = false, duplicates = false, unit_mismatch = false;
  std::string clash_column;
};

struct FamilySpec {
  const char* prefix;
  double weight;
  double gap_share;    // tables missing 5-11% of the spine's keys
  double extra_share;  // tables with keys outside the spine
  int64_t warmup_min, warmup_max;
  std::vector<const char*> features;
};

const std::vector<FamilySpec>& Families() {
  static const auto* families = new std::vector<FamilySpec>{
      {"bqx", 0.60, 0.5, 0.10, 45, 2880,
       {"close_z", "ret", "ret_z", "bqx", "bqx_z", "ema", "ema_z", "dev", "slope", "accel",
        "range_z", "skew", "kurt", "hurst"}},
      {"corr", 0.15, 0.6, 0.15, 60, 240, {"corr", "corr_z", "beta", "cov", "lead", "lag", "spread_z"}},
      {"vol", 0.10, 0.3, 0.10, 20, 100, {"atr", "std", "parkinson", "garman", "yz", "vol_z", "rv"}},
      {"mom", 0.10, 0.3, 0.10, 14, 50, {"rsi", "macd", "macd_sig", "roc", "stoch_k", "stoch_d", "cci"}},
      {"cal", 0.05, 0.0, 0.0, 0, 0, {"hour_sin", "hour_cos", "dow_sin", "dow_cos", "minute", "holiday"}},
  };
  return *families;
}
constexpr int kBqxWindows[] = {45, 90, 180, 360, 720, 1440, 2880};
constexpr const char* kCorrPartners[] = {"eurusd", "gbpusd", "usdjpy", "audusd",
                                         "usdcad", "usdchf", "nzdusd", "eurgbp"};

// Widths follow a log-normal with median 0.56 * mean (real: median 14, mean 25, 4..232
// columns); a `cols` request scales the whole distribution.
int DrawWidth(Rng* rng, int cols) {
  const double mean = cols > 0 ? cols : 25.0;
  const double sigma = std::sqrt(2.0 * std::log(25.0 / 14.0));
  const int max_width = cols > 0 ? std::max(4, static_cast<int>(std::lround(232.0 * cols / 25))) : 232;
  const int min_width = cols > 0 ? std::clamp(cols, 1, 4) : 4;
  const double width = mean * (14.0 / 25.0) * std::exp(sigma * rng->Normal());
  return std::clamp(static_cast<int>(std::lround(width)), min_width, max_width);
}

std::string UniqueName(const std::string& base, std::set<std::string>* used) {
  std::string name = base;
  for (int n = 2; !used->insert(name).second; n++) name = base + "_" + std::to_string(n);
  return name;
}

TablePlan PlanBqxTable(Rng* rng, int cols, std::vector<int>* counters) {
  const std::vector<FamilySpec>& families = Families();
  double pick = rng->Uniform(), acc = 0;
  size_t family_idx = 0;
  for (; family_idx + 1 < families.size(); family_idx++) {
    acc += families[family_idx].weight;
    if (pick < acc) break;
  }
  const FamilySpec& family = families[family_idx];
  TablePlan table;
  int64_t warmup = rng->Below(family.warmup_max - family.warmup_min + 1) + family.warmup_min;
  // Names carry a per-family (or per-window / per-partner) counter, so sorting the file names
  // gives another order than generation: merges must not depend on either.
  std::string stem = family.prefix;
  int counter_slot = static_cast<int>(family_idx) * 16;
  if (family_idx == 0) {
    const int w = static_cast<int>(rng->Below(std::size(kBqxWindows)));
    warmup = kBqxWindows[w];
    stem += "_" + std::to_string(kBqxWindows[w]);
    counter_slot += w;
  } else if (family_idx == 1) {
    const int p = static_cast<int>(rng->Below(std::size(kCorrPartners)));
    stem += std::string("_") + kCorrPartners[p];
    counter_slot += p;
  }
  table.name = stem + "_" + std::to_string(++(*counters)[static_cast<size_t>(counter_slot)]);
  table.gaps = rng->Chance(family.gap_share);
  if (rng->Chance(family.extra_share)) {
    const int64_t kinds = 1 + rng->Below(7);  // a non-empty subset of before/after/between
    table.extra_before = kinds & 1;
    table.extra_after = kinds & 2;
    table.extra_between = kinds & 4;
  }

  const int width = DrawWidth(rng, cols);
  std::set<std::string> used;
  for (int column_idx = 0; column_idx < width; column_idx++) {
    ColumnPlan column;
    const double type_pick = rng->Uniform();
    const char* feature;
    if (type_pick < 0.88) {
      column.kind = rng->Chance(0.4) ? Kind::kWalk : Kind::kZScore;
      feature = family.features[static_cast<size_t>(rng->Below(static_cast<int64_t>(family.features.size())))];
    } else if (type_pick < 0.96) {
      column.kind = rng->Chance(0.5) ? Kind::kRegime : Kind::kSession;
      feature = column.kind == Kind::kRegime ? "regime" : "session";
    } else if (type_pick < 0.99) {
      column.kind = Kind::kCount;
      feature = "ticks";
    } else {
      column.kind = Kind::kFlag;
      feature = "flag";
    }
    column.name = UniqueName(table.name + "_" + feature, &used);
    // About 12% NULL cells overall: 3% of columns entirely, half with a warm-up prefix, 40%
    // with scattered NULLs at 5-30%.
    column.all_null = rng->Chance(0.03);
    column.warmup = rng->Chance(0.5) ? warmup : 0;
    column.null_rate = rng->Chance(0.4) ? rng->Uniform(0.05, 0.30) : 0;
    table.columns.push_back(std::move(column));
  }
  return table;
}

TablePlan PlanUniformTable(int table_idx, int tables, int cols) {
  const int digits = static_cast<int>(std::to_string(std::max(tables - 1, 0)).size());
  const int col_digits = static_cast<int>(std::to_string(std::max(cols - 1, 0)).size());
  auto padded = [](int v, int width) {
    std::string s = std::to_string(v);
    return std::string(static_cast<size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
  };
  TablePlan table;
  table.name = "feat_" + padded(table_idx, digits);
  for (int column_idx = 0; column_idx < cols; column_idx++) {
    ColumnPlan column;
    column.name = table.name + "_c" + padded(column_idx, col_digits);
    column.kind = Kind::kWalk;
    table.columns.push_back(std::move(column));
  }
  return table;
}

std::vector<TablePlan> PlanTables(const GenOptions& o) {
  std::vector<TablePlan> plans;
  Rng rng(Combine(o.seed, HashName("plan")));
  std::vector<int> counters(Families().size() * 16, 0);
  for (int table_idx = 0; table_idx < o.tables; table_idx++) {
    plans.push_back(o.profile == GenOptions::Profile::kBqx
                        ? PlanBqxTable(&rng, o.cols, &counters)
                        : PlanUniformTable(table_idx, o.tables, o.cols > 0 ? o.cols : 8));
  }

  // Defects go to distinct tables while there are enough of them, taken from one shuffled order.
  std::vector<int> order(static_cast<size_t>(o.tables));
  for (int i = 0; i < o.tables; i++) order[static_cast<size_t>(i)] = i;
  Rng pick(Combine(o.seed, HashName("injections")));
  for (size_t i = order.size(); i > 1; i--) {
    std::swap(order[i - 1], order[static_cast<size_t>(pick.Below(static_cast<int64_t>(i)))]);
  }
  size_t cursor = 0;
  auto next_table = [&]() -> TablePlan& {
    return plans[static_cast<size_t>(order[cursor++ % order.size()])];
  };
  int unsorted = o.unsorted_tables;
  if (unsorted < 0) {
    unsorted = o.profile == GenOptions::Profile::kBqx
                   ? std::max(o.tables >= 10 ? 1 : 0, static_cast<int>(std::lround(0.03 * o.tables)))
                   : 0;
  }
  for (int i = 0; i < unsorted; i++) next_table().unsorted = true;
  if (o.duplicate_rate > 0) {
    const int count = std::max(1, static_cast<int>(std::lround(0.1 * o.tables)));
    for (int i = 0; i < count; i++) next_table().duplicates = true;
  }
  for (int i = 0; i < o.unit_mismatch_tables; i++) next_table().unit_mismatch = true;

  // Clashes copy a name from another table's original columns (all prefixed with that table's
  // name), so no table ends up with the same name twice.
  std::vector<std::vector<std::string>> original(plans.size());
  for (size_t t = 0; t < plans.size(); t++) {
    for (const ColumnPlan& c : plans[t].columns) original[t].push_back(c.name);
  }
  for (int i = 0; i < o.name_clashes; i++) {
    const int victim = order[cursor++ % order.size()];
    const int source = static_cast<int>((victim + 1 + pick.Below(o.tables - 1)) % o.tables);
    const std::vector<std::string>& names = original[static_cast<size_t>(source)];
    TablePlan& table = plans[static_cast<size_t>(victim)];
    if (!table.clash_column.empty() || names.empty() || table.columns.empty()) continue;
    table.clash_column = names[static_cast<size_t>(pick.Below(static_cast<int64_t>(names.size())))];
    table.columns[static_cast<size_t>(pick.Below(static_cast<int64_t>(table.columns.size())))].name =
        table.clash_column;
  }
  return plans;
}

// ---- Keys and row order ---------------------------------------------------------------------
// Keys are counted in half-minutes from the pair's start: the spine is 0, 2, ..., 2(rows-1);
// odd values are the +30 s keys between minutes, negative ones lie before the spine.

std::vector<int64_t> BuildKeys(const TablePlan& table, int64_t rows, Rng* rng) {
  std::vector<uint8_t> missing(static_cast<size_t>(rows), 0);
  if (table.gaps) {
    // Half in a few contiguous stretches (outages), half scattered (dropped minutes).
    const int64_t target = std::min<int64_t>(rows - 1, std::llround(rng->Uniform(0.05, 0.11) * rows));
    const int64_t stretches = 1 + rng->Below(4);
    const int64_t stretch_len = target / 2 / stretches;
    int64_t marked = 0;
    for (int64_t s = 0; s < stretches && stretch_len > 0; s++) {
      const int64_t start = rng->Below(rows - stretch_len + 1);
      for (int64_t r = start; r < start + stretch_len; r++) {
        marked += missing[static_cast<size_t>(r)] ? 0 : 1;
        missing[static_cast<size_t>(r)] = 1;
      }
    }
    while (marked < target) {
      const int64_t r = rng->Below(rows);
      if (!missing[static_cast<size_t>(r)]) missing[static_cast<size_t>(r)] = 1, marked++;
    }
  }
  auto extra_count = [&] { return std::max<int64_t>(1, std::llround(rows * rng->Uniform(0.005, 0.02))); };
  const int64_t before = table.extra_before ? extra_count() : 0;
  const int64_t after = table.extra_after ? extra_count() : 0;
  const double between_rate = table.extra_between ? rng->Uniform(0.005, 0.02) : 0;

  std::vector<int64_t> keys;
  keys.reserve(static_cast<size_t>(rows + before + after) + static_cast<size_t>(rows * between_rate * 2));
  for (int64_t m = -before; m < 0; m++) keys.push_back(2 * m);
  for (int64_t m = 0; m < rows; m++) {
    if (!missing[static_cast<size_t>(m)]) keys.push_back(2 * m);
    if (between_rate > 0 && rng->Chance(between_rate)) keys.push_back(2 * m + 1);
  }
  for (int64_t m = rows; m < rows + after; m++) keys.push_back(2 * m);
  return keys;
}

// Physical row p of a file holds key keys[map[p]] (identity when map is empty). copy[p] = 1
// marks a duplicated key whose row repeats row p - 1 exactly.
struct RowOrder {
  int64_t rows = 0;
  std::vector<int64_t> map;
  std::vector<uint8_t> copy;
  int64_t key_index(int64_t p) const { return map.empty() ? p : map[static_cast<size_t>(p)]; }
};

RowOrder BuildRowOrder(const TablePlan& table, int64_t keys, double duplicate_rate, Rng* rng) {
  RowOrder order;
  order.rows = keys;
  if (table.duplicates && keys > 0) {
    std::vector<uint8_t> dup(static_cast<size_t>(keys), 0);
    const int64_t count = std::clamp<int64_t>(std::llround(duplicate_rate * keys), 1, keys);
    for (int64_t marked = 0; marked < count;) {
      const int64_t r = rng->Below(keys);
      if (!dup[static_cast<size_t>(r)]) dup[static_cast<size_t>(r)] = 1, marked++;
    }
    for (int64_t k = 0; k < keys; k++) {
      order.map.push_back(k);
      order.copy.push_back(0);
      if (dup[static_cast<size_t>(k)]) order.map.push_back(k), order.copy.push_back(1);
    }
    order.rows = static_cast<int64_t>(order.map.size());
  }
  if (table.unsorted) {
    if (order.map.empty()) {
      order.map.resize(static_cast<size_t>(keys));
      for (int64_t k = 0; k < keys; k++) order.map[static_cast<size_t>(k)] = k;
    }
    for (size_t i = order.map.size(); i > 1; i--) {
      std::swap(order.map[i - 1], order.map[static_cast<size_t>(rng->Below(static_cast<int64_t>(i)))]);
    }
    order.copy.clear();  // shuffled duplicates are no longer adjacent: they get their own values
  }
  return order;
}

// ---- Column values --------------------------------------------------------------------------

const std::string_view kRegimes[] = {"low", "mid", "high"};
const std::string_view kSessions[] = {"asia", "london", "ny"};

// Produces one feature column in file order, row group after row group, carrying its state
// (walk level, label, last row) across calls.
class ColumnGen {
 public:
  ColumnGen(const ColumnPlan& plan, uint64_t seed) : plan_(&plan), rng_(seed) {
    switch (plan.kind) {
      case Kind::kWalk: level_ = rng_.Uniform(0.6, 1.8); break;
      case Kind::kZScore: level_ = rng_.Noise(); break;
      case Kind::kCount: rate_ = 5 + rng_.Below(200); break;
      default: state_ = rng_.Below(3); break;
    }
  }

  // Appends rows [first, first + n) to *out (Reset to this column's type). copy: null, or n
  // flags telling which rows repeat the previous row.
  void Fill(int64_t first, int64_t n, const uint8_t* copy, ColumnData* out) {
    switch (plan_->kind) {
      case Kind::kWalk:
        return FillFixed<double>(first, n, copy, out, [this] {
          level_ += level_ * 2e-4 * rng_.Noise();
          return RoundTo(level_, 1e5);
        });
      case Kind::kZScore:
        return FillFixed<double>(first, n, copy, out, [this] {
          level_ = 0.98 * level_ + 0.2 * rng_.Noise();
          return RoundTo(level_, 1e4);
        });
      case Kind::kCount:
        return FillFixed<int64_t>(first, n, copy, out,
                                  [this] { return rate_ / 2 + rng_.Below(rate_ + 1); });
      case Kind::kFlag:
        return FillFixed<uint8_t>(first, n, copy, out, [this] {
          if (rng_.Chance(0.02)) state_ ^= 1;
          return static_cast<uint8_t>(state_ & 1);
        });
      case Kind::kRegime:
      case Kind::kSession:
        return FillLabels(first, n, copy, out);
    }
  }

 private:
  bool IsNull(int64_t row) {
    return plan_->all_null || row < plan_->warmup ||
           (plan_->null_rate > 0 && rng_.Uniform() < plan_->null_rate);
  }

  template <typename T, typename NextFn>
  void FillFixed(int64_t first, int64_t n, const uint8_t* copy, ColumnData* out, NextFn next) {
    std::vector<uint8_t>& validity = out->mutable_validity();
    ByteBuffer& fixed = out->mutable_fixed();
    validity.resize(static_cast<size_t>(n));
    fixed.resize(static_cast<size_t>(n) * sizeof(T));
    uint8_t* values = fixed.data();
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; i++) {
      if (copy == nullptr || !copy[i]) {
        last_valid_ = !IsNull(first + i);
        T v{};
        if (last_valid_) v = next();
        std::memcpy(&last_bits_, &v, sizeof(T));
      }
      validity[static_cast<size_t>(i)] = last_valid_ ? 1 : 0;
      nulls += last_valid_ ? 0 : 1;
      std::memcpy(values + static_cast<size_t>(i) * sizeof(T), &last_bits_, sizeof(T));
    }
    out->SetRowsFromBuffers(n, nulls);
  }

  void FillLabels(int64_t first, int64_t n, const uint8_t* copy, ColumnData* out) {
    const std::string_view* labels = plan_->kind == Kind::kRegime ? kRegimes : kSessions;
    // Regimes drift between neighbours; sessions cycle asia -> london -> ny.
    const double move = plan_->kind == Kind::kRegime ? 0.01 : 0.004;
    for (int64_t i = 0; i < n; i++) {
      if (copy == nullptr || !copy[i]) {
        last_valid_ = !IsNull(first + i);
        if (rng_.Chance(move)) {
          state_ = plan_->kind == Kind::kSession ? (state_ + 1) % 3
                                                 : std::clamp<int64_t>(state_ + (rng_.Chance(0.5) ? 1 : -1), 0, 2);
        }
        last_bits_ = static_cast<uint64_t>(state_);
      }
      if (last_valid_) {
        out->AppendValue(AsBytes(labels[last_bits_]));
      } else {
        out->AppendNull();
      }
    }
  }

  const ColumnPlan* plan_;
  Rng rng_;
  double level_ = 0;
  int64_t rate_ = 0;
  int64_t state_ = 0;
  bool last_valid_ = false;
  uint64_t last_bits_ = 0;  // the previous row's value, for duplicated keys
};

// Targets: 7 horizons x 7 kinds computed from one price path per pair. The last `horizon` rows
// of each are NULL, as real targets are unknown at the end of the history.
constexpr int kHorizons[] = {1, 5, 15, 30, 60, 120, 240};
constexpr const char* kTargetKinds[] = {"ret", "logret", "absret", "dir", "z", "hit", "pips"};
constexpr double kTargetSigma = 2e-4 * 0.408;  // per-minute step of the path below

std::vector<double> PricePath(int64_t rows, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> path(static_cast<size_t>(rows));
  double level = rng.Uniform(0.6, 1.8);
  for (double& p : path) {
    level += level * 2e-4 * rng.Noise();
    p = RoundTo(level, 1e5);
  }
  return path;
}

void FillTarget(const std::vector<double>& path, int target_idx, int64_t first, int64_t n,
                ColumnData* out) {
  const int64_t horizon = kHorizons[target_idx / 7];
  const int kind = target_idx % 7;
  const int64_t rows = static_cast<int64_t>(path.size());
  const double scale = kTargetSigma * std::sqrt(static_cast<double>(horizon));
  std::vector<uint8_t>& validity = out->mutable_validity();
  ByteBuffer& fixed = out->mutable_fixed();
  validity.resize(static_cast<size_t>(n));
  fixed.resize(static_cast<size_t>(n) * sizeof(double));
  int64_t nulls = 0;
  for (int64_t i = 0; i < n; i++) {
    const int64_t row = first + i;
    double v = 0;
    const bool valid = row + horizon < rows;
    if (valid) {
      const double p0 = path[static_cast<size_t>(row)], p1 = path[static_cast<size_t>(row + horizon)];
      const double ret = p1 / p0 - 1;
      switch (kind) {
        case 0: v = ret; break;
        case 1: v = std::log(p1 / p0); break;
        case 2: v = std::fabs(ret); break;
        case 3: v = ret > 0.25 * scale ? 1 : (ret < -0.25 * scale ? -1 : 0); break;
        case 4: v = ret / scale; break;
        case 5: v = std::fabs(ret) > 2 * scale ? 1 : 0; break;
        default: v = (p1 - p0) * 1e4; break;
      }
    }
    validity[static_cast<size_t>(i)] = valid ? 1 : 0;
    nulls += valid ? 0 : 1;
    StoreLE(fixed.data() + static_cast<size_t>(i) * sizeof(double), v);
  }
  out->SetRowsFromBuffers(n, nulls);
}

// ---- Schemas and keys -----------------------------------------------------------------------

struct KeyEncoding {
  TimeUnit unit = TimeUnit::kNanos;
  int64_t start = 0;         // the pair's first spine key, in `unit`
  int64_t half_minute = 0;   // 30 s in `unit`
};

KeyEncoding MakeKeyEncoding(TimeUnit unit, int64_t start_seconds) {
  const int64_t per_second = unit == TimeUnit::kNanos ? 1000000000 : unit == TimeUnit::kMicros ? 1000000 : 1000;
  return {unit, start_seconds * per_second, 30 * per_second};
}

ColumnDescriptor KeyColumn(TimeUnit unit) {
  ColumnDescriptor key;
  key.name = kKeyName;
  key.type = Type::kInt64;
  key.nullable = false;
  key.logical_type.kind = parquet::LogicalType::Kind::kTimestamp;
  key.logical_type.is_adjusted_to_utc = true;
  key.logical_type.unit = unit;
  // The legacy annotation too, as Arrow writes it: old readers know MILLIS and MICROS only.
  if (unit == TimeUnit::kMillis) key.converted_type = parquet::ConvertedType::kTimestampMillis;
  if (unit == TimeUnit::kMicros) key.converted_type = parquet::ConvertedType::kTimestampMicros;
  return key;
}

ColumnDescriptor FeatureColumn(const std::string& name, Type type) {
  ColumnDescriptor column;
  column.name = name;
  column.type = type;
  column.nullable = true;
  if (type == Type::kByteArray) {
    column.logical_type.kind = parquet::LogicalType::Kind::kString;
    column.converted_type = parquet::ConvertedType::kUtf8;
  }
  return column;
}

Type TypeOf(Kind kind) {
  switch (kind) {
    case Kind::kWalk:
    case Kind::kZScore: return Type::kDouble;
    case Kind::kRegime:
    case Kind::kSession: return Type::kByteArray;
    case Kind::kCount: return Type::kInt64;
    case Kind::kFlag: return Type::kBoolean;
  }
  return Type::kDouble;
}

void FillKeys(const std::vector<int64_t>& half_minutes, const RowOrder& order,
              const KeyEncoding& enc, int64_t first, int64_t n, ColumnData* out) {
  std::vector<uint8_t>& validity = out->mutable_validity();
  ByteBuffer& fixed = out->mutable_fixed();
  validity.assign(static_cast<size_t>(n), 1);
  fixed.resize(static_cast<size_t>(n) * sizeof(int64_t));
  for (int64_t i = 0; i < n; i++) {
    const int64_t h = half_minutes[static_cast<size_t>(order.key_index(first + i))];
    StoreLE(fixed.data() + static_cast<size_t>(i) * sizeof(int64_t), enc.start + h * enc.half_minute);
  }
  out->SetRowsFromBuffers(n, 0);
}

// ---- Writing one file -----------------------------------------------------------------------

using FillFn = std::function<void(int column, int64_t first, int64_t n, ColumnData* out)>;

// One per thread: encoders are reused across files, one per column shape.
class FileWorker {
 public:
  explicit FileWorker(parquet::WriterOptions options) : options_(std::move(options)) {}

  // Writes `rows` rows of `schema` to path + ".tmp", syncs it and renames it to `path`.
  Status Write(const std::string& path, const Schema& schema, int64_t rows, int64_t row_group_rows,
               const std::vector<parquet::KeyValue>& key_value, const FillFn& fill,
               GenTableInfo* info) {
    io::FileSystem* fs = io::DefaultFileSystem();
    const std::string temp = path + kTempSuffix;
    FM_ASSIGN_OR_RETURN(std::unique_ptr<io::AppendFile> file, fs->CreateForAppend(temp));
    Status s = WriteTo(file.get(), schema, rows, row_group_rows, key_value, fill, info);
    if (s.ok()) s = file->Sync();
    if (s.ok()) {
      info->bytes = file->size();
      s = file->Close();
    }
    if (s.ok()) s = fs->RenameDurable(temp, path);
    if (!s.ok()) {
      file.reset();
      (void)fs->Remove(temp);  // best effort: the error that matters is s
      return s.WithContext("generating '" + path + "'");
    }
    info->path = path;
    info->rows = rows;
    info->columns = schema.num_columns();
    return Status::OK();
  }

 private:
  Status WriteTo(io::AppendFile* file, const Schema& schema, int64_t rows, int64_t row_group_rows,
                 const std::vector<parquet::KeyValue>& key_value, const FillFn& fill,
                 GenTableInfo* info) {
    FM_ASSIGN_OR_RETURN(auto writer, parquet::ParquetFileWriter::Create(file, schema, options_));
    info->row_groups = 0;
    for (int64_t begin = 0; begin < rows; begin += row_group_rows) {
      const int64_t n = std::min(row_group_rows, rows - begin);
      for (int column_idx = 0; column_idx < schema.num_columns(); column_idx++) {
        const ColumnDescriptor& column = schema.column(column_idx);
        data_.Reset(column.type, column.type_length);
        fill(column_idx, begin, n, &data_);
        FM_RETURN_IF_ERROR(EncoderFor(column)->Write(data_, 0, n, &chunk_));
        // The shared encoder named the chunk after the first column of its shape.
        chunk_.meta.path_in_schema = {column.name};
        FM_RETURN_IF_ERROR(writer->AppendChunk(chunk_));
      }
      FM_RETURN_IF_ERROR(writer->CloseRowGroup(n));
      info->row_groups++;
    }
    return writer->Finish(key_value);
  }

  // A ColumnChunkWriter owns a compression context (about 1 MB for zstd), so one per column of
  // a 232-column table would cost hundreds of MB per thread. Chunks depend on the column's type,
  // annotations and nullability only; the name goes to path_in_schema, which Write() fixes.
  parquet::ColumnChunkWriter* EncoderFor(const ColumnDescriptor& column) {
    for (auto& [shape, writer] : encoders_) {
      if (shape.type == column.type && shape.type_length == column.type_length &&
          shape.nullable == column.nullable && shape.converted_type == column.converted_type &&
          shape.logical_type == column.logical_type) {
        return writer.get();
      }
    }
    encoders_.emplace_back(column, std::make_unique<parquet::ColumnChunkWriter>(column, options_));
    return encoders_.back().second.get();
  }

  const parquet::WriterOptions options_;
  std::vector<std::pair<ColumnDescriptor, std::unique_ptr<parquet::ColumnChunkWriter>>> encoders_;
  ColumnData data_;
  parquet::EncodedChunk chunk_;
};

// ---- Orchestration --------------------------------------------------------------------------

struct PairContext {
  std::string pair;
  std::string dir;
  uint64_t seed = 0;          // hash of (seed, pair)
  int64_t start_seconds = 0;  // first spine key
};

struct Task {
  int pair_idx;
  int table_idx;  // -1 = targets
  int64_t cost;
};

Status ValidateOptions(const GenOptions& o) {
  if (o.out_dir.empty()) return Status::InvalidArgument("gen: no output directory given");
  if (o.pairs.empty()) return Status::InvalidArgument("gen: no pairs given");
  std::set<std::string> seen;
  for (const std::string& pair : o.pairs) {
    if (pair.empty() || pair == "." || pair == ".." || pair.find('/') != std::string::npos ||
        pair.find('\0') != std::string::npos) {
      return Status::InvalidArgument("gen: '" + pair + "' is not a valid pair name (a directory name)");
    }
    if (!seen.insert(pair).second) return Status::InvalidArgument("gen: pair '" + pair + "' is listed twice");
  }
  // 1e9 minutes (1900 years) keeps every key inside INT64 nanoseconds.
  if (o.rows < 1 || o.rows > 1000000000) {
    return Status::InvalidArgument("gen: rows must be in [1, 1e9], got " + std::to_string(o.rows));
  }
  if (o.tables < 0 || o.cols < 0 || o.row_group_rows < 0 || o.threads < 0) {
    return Status::InvalidArgument("gen: tables, cols, row_group_rows and threads must be >= 0");
  }
  if (!(o.duplicate_rate >= 0 && o.duplicate_rate <= 1)) {
    return Status::InvalidArgument("gen: duplicate rate must be in [0, 1], got " +
                                   std::to_string(o.duplicate_rate));
  }
  if (o.name_clashes < 0 || o.unit_mismatch_tables < 0 || o.unsorted_tables < -1) {
    return Status::InvalidArgument("gen: injection counts must be >= 0");
  }
  if (o.name_clashes > 0 && o.tables < 2) {
    return Status::InvalidArgument("gen: name clashes need at least 2 tables");
  }
  for (int count : {o.name_clashes, o.unit_mismatch_tables, o.unsorted_tables}) {
    if (count > o.tables) {
      return Status::InvalidArgument("gen: cannot inject into " + std::to_string(count) +
                                     " tables out of " + std::to_string(o.tables));
    }
  }
  if (o.duplicate_rate > 0 && o.tables < 1) {
    return Status::InvalidArgument("gen: duplicates need at least 1 table");
  }
  return Status::OK();
}

// Empty directory, or one we may clean: a rerun must not mix old tables with new ones. The
// marker goes first, so the directory never claims to be complete while being replaced.
Status PreparePairDir(io::FileSystem* fs, const std::string& dir, bool overwrite) {
  FM_RETURN_IF_ERROR(fs->CreateDirs(dir));
  FM_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  if (names.empty()) return Status::OK();
  if (!overwrite) {
    return Status::AlreadyExists("gen: '" + dir + "' is not empty (" + std::to_string(names.size()) +
                                 " entries); pass --force to replace its .parquet files");
  }
  FM_RETURN_IF_ERROR(fs->Remove(io::JoinPath(dir, kMarkerName)));
  auto ends_with = [](const std::string& s, std::string_view tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
  };
  for (const std::string& name : names) {
    if (ends_with(name, ".parquet") || ends_with(name, std::string(".parquet") + kTempSuffix)) {
      FM_RETURN_IF_ERROR(fs->Remove(io::JoinPath(dir, name)));
    }
  }
  return Status::OK();
}

}  // namespace

Result<TimeUnit> ParseKeyUnit(const std::string& text) {
  if (text == "ns") return TimeUnit::kNanos;
  if (text == "us") return TimeUnit::kMicros;
  if (text == "ms") return TimeUnit::kMillis;
  return Status::InvalidArgument("key unit must be ns, us or ms, got '" + text + "'");
}

Status Generate(const GenOptions& options, GenReport* report) {
  const Clock::time_point started = Clock::now();
  FM_RETURN_IF_ERROR(ValidateOptions(options));
  FM_ASSIGN_OR_RETURN(const TimeUnit unit, ParseKeyUnit(options.key_unit));
  // A mismatched table uses a unit a merge must convert from (ns -> us, us/ms -> ns).
  const TimeUnit mismatch_unit = unit == TimeUnit::kNanos ? TimeUnit::kMicros : TimeUnit::kNanos;
  const std::vector<TablePlan> plans = PlanTables(options);
  const int64_t row_group_rows =
      options.row_group_rows > 0 ? options.row_group_rows : std::max<int64_t>(1, (options.rows + 3) / 4);

  io::FileSystem* fs = io::DefaultFileSystem();
  std::vector<PairContext> pairs;
  for (const std::string& pair : options.pairs) {
    PairContext ctx;
    ctx.pair = pair;
    ctx.dir = io::JoinPath(options.out_dir, pair);
    ctx.seed = Combine(options.seed, HashName(pair));
    // Pairs start at different minutes so their files are not copies of each other.
    ctx.start_seconds =
        kEpoch2024 + 60 * static_cast<int64_t>(Combine(ctx.seed, HashName("start")) % kMaxStartOffsetMinutes);
    FM_RETURN_IF_ERROR(PreparePairDir(fs, ctx.dir, options.overwrite));
    pairs.push_back(std::move(ctx));
  }

  GenReport local;
  GenReport& out = report != nullptr ? *report : local;
  out = GenReport();
  out.pairs.resize(pairs.size());
  std::vector<Task> tasks;
  for (size_t p = 0; p < pairs.size(); p++) {
    GenPairReport& pr = out.pairs[p];
    pr.pair = pairs[p].pair;
    pr.dir = pairs[p].dir;
    pr.tables.resize(plans.size() + 1);
    pr.tables[0].name = "targets";
    for (size_t t = 0; t < plans.size(); t++) {
      const TablePlan& plan = plans[t];
      GenTableInfo& info = pr.tables[t + 1];
      info.name = plan.name;
      info.gaps = plan.gaps;
      info.extra_keys = plan.extra_before || plan.extra_after || plan.extra_between;
      info.unsorted = plan.unsorted;
      info.duplicates = plan.duplicates;
      info.unit_mismatch = plan.unit_mismatch;
      info.clash_column = plan.clash_column;
    }
    // Pair by pair, so early pairs are complete (and marked) while later ones are written;
    // within a pair the widest files first, so no thread is left alone with a big one at the end.
    const size_t first_task = tasks.size();
    tasks.push_back({static_cast<int>(p), -1, 50 * options.rows});
    for (size_t t = 0; t < plans.size(); t++) {
      tasks.push_back({static_cast<int>(p), static_cast<int>(t),
                       static_cast<int64_t>(plans[t].columns.size() + 1) * options.rows});
    }
    std::stable_sort(tasks.begin() + static_cast<ptrdiff_t>(first_task), tasks.end(),
                     [](const Task& a, const Task& b) { return a.cost > b.cost; });
  }

  parquet::WriterOptions writer_options;
  writer_options.compression = options.compression;
  const char* profile_name = options.profile == GenOptions::Profile::kBqx ? "bqx" : "uniform";

  // Shared state between workers: the next task, the first error, per-pair progress.
  std::atomic<size_t> next_task{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  std::vector<int64_t> remaining(pairs.size(), static_cast<int64_t>(plans.size() + 1));
  std::vector<double> pair_begin(pairs.size(), -1);
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };

  auto run_task = [&](const Task& task, FileWorker* worker) -> Status {
    const PairContext& pair = pairs[static_cast<size_t>(task.pair_idx)];
    GenPairReport& pr = out.pairs[static_cast<size_t>(task.pair_idx)];
    const std::vector<parquet::KeyValue> key_value = {
        {"featmerge.gen", std::string("profile=") + profile_name + " seed=" +
                              std::to_string(options.seed) + " pair=" + pair.pair}};
    if (task.table_idx < 0) {
      std::vector<ColumnDescriptor> columns = {KeyColumn(unit)};
      for (int horizon : kHorizons) {
        for (const char* kind : kTargetKinds) {
          columns.push_back(FeatureColumn(
              "target_" + std::to_string(horizon) + "m_" + kind, Type::kDouble));
        }
      }
      const std::vector<double> path = PricePath(options.rows, Combine(pair.seed, HashName("targets")));
      const KeyEncoding enc = MakeKeyEncoding(unit, pair.start_seconds);
      std::vector<int64_t> spine(static_cast<size_t>(options.rows));
      for (int64_t m = 0; m < options.rows; m++) spine[static_cast<size_t>(m)] = 2 * m;
      const RowOrder order{options.rows, {}, {}};
      FillFn fill = [&](int column, int64_t first, int64_t n, ColumnData* data) {
        if (column == 0) return FillKeys(spine, order, enc, first, n, data);
        FillTarget(path, column - 1, first, n, data);
      };
      return worker->Write(io::JoinPath(pair.dir, "targets.parquet"), Schema(std::move(columns)),
                           options.rows, row_group_rows, key_value, fill, &pr.tables[0]);
    }
    const TablePlan& plan = plans[static_cast<size_t>(task.table_idx)];
    const uint64_t table_seed = Combine(pair.seed, HashName(plan.name));
    Rng key_rng(Combine(table_seed, HashName("keys")));
    const std::vector<int64_t> keys = BuildKeys(plan, options.rows, &key_rng);
    const RowOrder order =
        BuildRowOrder(plan, static_cast<int64_t>(keys.size()), options.duplicate_rate, &key_rng);
    const KeyEncoding enc = MakeKeyEncoding(plan.unit_mismatch ? mismatch_unit : unit, pair.start_seconds);
    std::vector<ColumnDescriptor> columns = {KeyColumn(enc.unit)};
    std::vector<ColumnGen> gens;
    gens.reserve(plan.columns.size());
    for (size_t c = 0; c < plan.columns.size(); c++) {
      columns.push_back(FeatureColumn(plan.columns[c].name, TypeOf(plan.columns[c].kind)));
      gens.emplace_back(plan.columns[c], Combine(table_seed, c));
    }
    FillFn fill = [&](int column, int64_t first, int64_t n, ColumnData* data) {
      if (column == 0) return FillKeys(keys, order, enc, first, n, data);
      const uint8_t* copy = order.copy.empty() ? nullptr : order.copy.data() + first;
      gens[static_cast<size_t>(column - 1)].Fill(first, n, copy, data);
    };
    return worker->Write(io::JoinPath(pair.dir, plan.name + ".parquet"), Schema(std::move(columns)),
                         order.rows, row_group_rows, key_value, fill,
                         &pr.tables[static_cast<size_t>(task.table_idx) + 1]);
  };

  auto work = [&] {
    FileWorker worker(writer_options);
    while (!failed.load()) {
      const size_t task_idx = next_task.fetch_add(1);
      if (task_idx >= tasks.size()) return;
      const Task& task = tasks[task_idx];
      const size_t p = static_cast<size_t>(task.pair_idx);
      {
        std::lock_guard<std::mutex> lock(mu);
        if (pair_begin[p] < 0) pair_begin[p] = elapsed();
      }
      Status s = run_task(task, &worker);
      bool pair_done = false;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!s.ok()) {
          if (first_error.ok()) first_error = s;
          failed = true;
          return;
        }
        pair_done = --remaining[p] == 0;
      }
      if (pair_done) {
        // Last of the pair: the marker says every file is in place under its final name.
        if (options.marker) {
          s = io::WriteFileAtomic(fs, io::JoinPath(pairs[p].dir, kMarkerName), ByteView());
        }
        std::lock_guard<std::mutex> lock(mu);
        out.pairs[p].seconds = elapsed() - pair_begin[p];
        if (!s.ok()) {
          if (first_error.ok()) first_error = s;
          failed = true;
          return;
        }
      }
    }
  };

  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, std::max<int>(1, static_cast<int>(tasks.size())));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; i++) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  FM_RETURN_IF_ERROR(first_error);

  for (GenPairReport& pr : out.pairs) {
    for (const GenTableInfo& info : pr.tables) {
      pr.paths.push_back(info.path);
      pr.bytes += info.bytes;
      pr.rows += info.rows;
    }
    pr.files = static_cast<int64_t>(pr.tables.size());
    pr.spine_rows = options.rows;
    out.files += pr.files;
    out.bytes += pr.bytes;
    out.rows += pr.rows;
  }
  out.seconds = elapsed();
  return Status::OK();
}

}  // namespace featmerge::pipeline
