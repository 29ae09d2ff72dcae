#include "pipeline/generator_data.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <set>

#include "base/hash.h"

namespace featmerge::pipeline::gen {

using parquet::ColumnData;
using parquet::TimeUnit;
using parquet::Type;

namespace {

uint64_t Mix64(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Rounds to `scale` decimals the way real feature files look (prices to 1e-5).
double RoundTo(double x, double scale) {
  const double scaled = x * scale;
  return static_cast<double>(static_cast<int64_t>(scaled + (scaled >= 0 ? 0.5 : -0.5))) / scale;
}

}  // namespace

uint64_t Combine(uint64_t a, uint64_t b) { return Mix64(a ^ Mix64(b)); }
uint64_t HashName(std::string_view s) { return Fnv64().Add(s).value(); }

Rng::Rng(uint64_t seed) {
  for (uint64_t& word : s_) word = seed = Mix64(seed);
}

double Rng::Normal() {
  const double u1 = 1.0 - Uniform(), u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// ---- Plans ----------------------------------------------------------------------------------

namespace {

struct FamilySpec {
  const char* prefix;
  double weight;
  double gap_share;    // tables missing 5-11% of the spine's keys
  double extra_share;  // tables with keys outside the spine
  int64_t warmup_min, warmup_max;
  std::vector<const char*> features;
};

const std::vector<FamilySpec>& Families() {
  // One family per row reads as a table.
  // clang-format off
  static const auto* families = new std::vector<FamilySpec>{
      {"bqx",  0.60, 0.5, 0.10, 45, 2880, {"close_z", "ret", "ret_z", "bqx", "bqx_z", "ema",
                                           "ema_z", "dev", "slope", "accel", "range_z", "skew",
                                           "kurt", "hurst"}},
      {"corr", 0.15, 0.6, 0.15, 60, 240,  {"corr", "corr_z", "beta", "cov", "lead", "lag",
                                           "spread_z"}},
      {"vol",  0.10, 0.3, 0.10, 20, 100,  {"atr", "std", "parkinson", "garman", "yz", "vol_z",
                                           "rv"}},
      {"mom",  0.10, 0.3, 0.10, 14, 50,   {"rsi", "macd", "macd_sig", "roc", "stoch_k",
                                           "stoch_d", "cci"}},
      {"cal",  0.05, 0.0, 0.0,  0,  0,    {"hour_sin", "hour_cos", "dow_sin", "dow_cos",
                                           "minute", "holiday"}},
  };
  // clang-format on
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
  const int max_width =
      cols > 0 ? std::max(4, static_cast<int>(std::lround(232.0 * cols / 25))) : 232;
  const int min_width = cols > 0 ? std::clamp(cols, 1, 4) : 4;
  const double width = mean * (14.0 / 25.0) * std::exp(sigma * rng->Normal());
  return std::clamp(static_cast<int>(std::lround(width)), min_width, max_width);
}

std::string UniqueName(const std::string& base, std::set<std::string>* used) {
  std::string name = base;
  for (int n = 2; !used->insert(name).second; n++) name = base + "_" + std::to_string(n);
  return name;
}

TablePlan PlanBqxTable(Rng* rng, int cols, int64_t rows, std::vector<int>* counters) {
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
      feature = family.features[static_cast<size_t>(
          rng->Below(static_cast<int64_t>(family.features.size())))];
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
    // Capped at 5% of the rows: on short test histories a 2880-minute window would otherwise
    // blank most of the table, where real histories (years of minutes) hide it.
    column.warmup = rng->Chance(0.5) ? std::min(warmup, rows / 20) : 0;
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
    return std::string(static_cast<size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') +
           s;
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

}  // namespace

Type TypeOf(Kind kind) {
  switch (kind) {
    case Kind::kWalk:
    case Kind::kZScore:
      return Type::kDouble;
    case Kind::kRegime:
    case Kind::kSession:
      return Type::kByteArray;
    case Kind::kCount:
      return Type::kInt64;
    case Kind::kFlag:
      return Type::kBoolean;
  }
  return Type::kDouble;
}

std::vector<TablePlan> PlanTables(const GenOptions& o) {
  std::vector<TablePlan> plans;
  Rng rng(Combine(o.seed, HashName("plan")));
  std::vector<int> counters(Families().size() * 16, 0);
  for (int table_idx = 0; table_idx < o.tables; table_idx++) {
    plans.push_back(o.profile == GenOptions::Profile::kBqx
                        ? PlanBqxTable(&rng, o.cols, o.rows, &counters)
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
    unsorted =
        o.profile == GenOptions::Profile::kBqx
            ? std::max(o.tables >= 10 ? 1 : 0, static_cast<int>(std::lround(0.03 * o.tables)))
            : 0;
  }
  for (int i = 0; i < unsorted; i++) next_table().unsorted = true;
  if (o.duplicate_rate > 0) {
    const int count = std::max(1, static_cast<int>(std::lround(0.1 * o.tables)));
    for (int i = 0; i < count; i++) next_table().duplicates = true;
  }
  for (int i = 0; i < o.unit_mismatch_tables; i++) next_table().unit_mismatch = true;

  // A clash copies the name of a column nobody touched yet (still prefixed with its own table's
  // name) over a victim's untouched column. Both are then pinned: renaming a copied-from column
  // later would undo that clash, and copying a renamed one could give a table a name twice.
  std::vector<std::vector<uint8_t>> pinned(plans.size());
  for (size_t t = 0; t < plans.size(); t++) pinned[t].assign(plans[t].columns.size(), 0);
  auto pick_unpinned = [&](size_t t) -> int64_t {
    std::vector<int64_t> free;
    for (size_t c = 0; c < pinned[t].size(); c++) {
      if (!pinned[t][c]) free.push_back(static_cast<int64_t>(c));
    }
    return free.empty() ? -1
                        : free[static_cast<size_t>(pick.Below(static_cast<int64_t>(free.size())))];
  };
  for (int i = 0; i < o.name_clashes; i++) {
    const size_t victim = static_cast<size_t>(order[cursor++ % order.size()]);
    const int64_t victim_col = pick_unpinned(victim);
    if (victim_col < 0 || !plans[victim].clash_column.empty()) continue;
    const int64_t offset = pick.Below(o.tables - 1);
    for (int64_t k = 0; k < o.tables - 1; k++) {
      const size_t source = (victim + 1 + static_cast<size_t>((offset + k) % (o.tables - 1))) %
                            static_cast<size_t>(o.tables);
      const int64_t source_col = pick_unpinned(source);
      if (source_col < 0) continue;
      pinned[source][static_cast<size_t>(source_col)] = 1;
      pinned[victim][static_cast<size_t>(victim_col)] = 1;
      plans[victim].clash_column = plans[source].columns[static_cast<size_t>(source_col)].name;
      plans[victim].columns[static_cast<size_t>(victim_col)].name = plans[victim].clash_column;
      break;
    }
  }
  return plans;
}

// ---- Keys and row order ---------------------------------------------------------------------

std::vector<int64_t> BuildKeys(const TablePlan& table, int64_t rows, Rng* rng) {
  std::vector<uint8_t> missing(static_cast<size_t>(rows), 0);
  if (table.gaps) {
    // Half in a few contiguous stretches (outages), half scattered (dropped minutes).
    const int64_t target =
        std::min<int64_t>(rows - 1, std::llround(rng->Uniform(0.05, 0.11) * rows));
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
  auto extra_count = [&] {
    return std::max<int64_t>(1, std::llround(rows * rng->Uniform(0.005, 0.02)));
  };
  const int64_t before = table.extra_before ? extra_count() : 0;
  const int64_t after = table.extra_after ? extra_count() : 0;
  const double between_rate = table.extra_between ? rng->Uniform(0.005, 0.02) : 0;

  std::vector<int64_t> keys;
  keys.reserve(static_cast<size_t>(rows + before + after) +
               static_cast<size_t>(rows * between_rate * 2));
  for (int64_t m = -before; m < 0; m++) keys.push_back(2 * m);
  for (int64_t m = 0; m < rows; m++) {
    if (!missing[static_cast<size_t>(m)]) keys.push_back(2 * m);
    if (between_rate > 0 && rng->Chance(between_rate)) keys.push_back(2 * m + 1);
  }
  for (int64_t m = rows; m < rows + after; m++) keys.push_back(2 * m);
  return keys;
}

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
      std::swap(order.map[i - 1],
                order.map[static_cast<size_t>(rng->Below(static_cast<int64_t>(i)))]);
    }
    order.copy.clear();  // shuffled duplicates are no longer adjacent: they get their own values
  }
  return order;
}

KeyEncoding MakeKeyEncoding(TimeUnit unit, int64_t start_seconds) {
  const int64_t per_second = unit == TimeUnit::kNanos    ? 1000000000
                             : unit == TimeUnit::kMicros ? 1000000
                                                         : 1000;
  return {unit, start_seconds * per_second, 30 * per_second};
}

void FillKeys(const std::vector<int64_t>& half_minutes, const RowOrder& order,
              const KeyEncoding& enc, int64_t first, int64_t n, ColumnData* out) {
  std::vector<uint8_t>& validity = out->mutable_validity();
  ByteBuffer& fixed = out->mutable_fixed();
  validity.assign(static_cast<size_t>(n), 1);
  fixed.resize(static_cast<size_t>(n) * sizeof(int64_t));
  for (int64_t i = 0; i < n; i++) {
    const int64_t h = half_minutes[static_cast<size_t>(order.key_index(first + i))];
    StoreLE(fixed.data() + static_cast<size_t>(i) * sizeof(int64_t),
            enc.start + h * enc.half_minute);
  }
  out->SetRowsFromBuffers(n, 0);
}

// ---- Column values --------------------------------------------------------------------------

namespace {
const std::string_view kRegimes[] = {"low", "mid", "high"};
const std::string_view kSessions[] = {"asia", "london", "ny"};
}  // namespace

ColumnGen::ColumnGen(const ColumnPlan& plan, uint64_t seed) : plan_(&plan), rng_(seed) {
  switch (plan.kind) {
    case Kind::kWalk:
      level_ = rng_.Uniform(0.6, 1.8);  // a price around 1, as FX rates
      break;
    case Kind::kZScore:
      level_ = rng_.Noise();
      break;
    case Kind::kCount:
      rate_ = 5 + rng_.Below(200);
      break;
    default:
      state_ = rng_.Below(3);
      break;
  }
}

void ColumnGen::Fill(int64_t first, int64_t n, const uint8_t* copy, ColumnData* out) {
  switch (plan_->kind) {
    case Kind::kWalk:
      // 1-minute moves of a few pips, rounded to 1e-5 as quoted prices are.
      return FillFixed<double>(first, n, copy, out, [this] {
        level_ += level_ * 2e-4 * rng_.Noise();
        return RoundTo(level_, 1e5);
      });
    case Kind::kZScore:  // AR(1): mean-reverting around 0, standard deviation ~0.4
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

// Writes straight into the spaced buffers: per-value Append calls would cost more than the
// values themselves.
template <typename T, typename NextFn>
void ColumnGen::FillFixed(int64_t first, int64_t n, const uint8_t* copy, ColumnData* out,
                          NextFn next) {
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

void ColumnGen::FillLabels(int64_t first, int64_t n, const uint8_t* copy, ColumnData* out) {
  const std::string_view* labels = plan_->kind == Kind::kRegime ? kRegimes : kSessions;
  // Regimes drift between neighbours; sessions cycle asia -> london -> ny.
  const double move = plan_->kind == Kind::kRegime ? 0.01 : 0.004;
  for (int64_t i = 0; i < n; i++) {
    if (copy == nullptr || !copy[i]) {
      last_valid_ = !IsNull(first + i);
      if (rng_.Chance(move)) {
        state_ = plan_->kind == Kind::kSession
                     ? (state_ + 1) % 3
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

// ---- Targets ---------------------------------------------------------------------------------

namespace {
constexpr int kHorizons[] = {1, 5, 15, 30, 60, 120, 240};  // minutes
constexpr const char* kTargetKinds[] = {"ret", "logret", "absret", "dir", "z", "hit", "pips"};
constexpr int kKindCount = static_cast<int>(std::size(kTargetKinds));
// Standard deviation of the path's 1-minute return: 2e-4 times the triangular noise's (0.408).
constexpr double kTargetSigma = 2e-4 * 0.408;
}  // namespace

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (int horizon : kHorizons) {
    for (const char* kind : kTargetKinds) {
      names.push_back("target_" + std::to_string(horizon) + "m_" + kind);
    }
  }
  return names;
}

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
  const int64_t horizon = kHorizons[target_idx / kKindCount];
  const int kind = target_idx % kKindCount;
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
      const double p0 = path[static_cast<size_t>(row)],
                   p1 = path[static_cast<size_t>(row + horizon)];
      const double ret = p1 / p0 - 1;
      switch (kind) {
        case 0:
          v = ret;
          break;
        case 1:
          v = std::log(p1 / p0);
          break;
        case 2:
          v = std::fabs(ret);
          break;
        case 3:
          v = ret > 0.25 * scale ? 1 : (ret < -0.25 * scale ? -1 : 0);
          break;
        case 4:
          v = ret / scale;
          break;
        case 5:
          v = std::fabs(ret) > 2 * scale ? 1 : 0;
          break;
        default:
          v = (p1 - p0) * 1e4;
          break;
      }
    }
    validity[static_cast<size_t>(i)] = valid ? 1 : 0;
    nulls += valid ? 0 : 1;
    StoreLE(fixed.data() + static_cast<size_t>(i) * sizeof(double), v);
  }
  out->SetRowsFromBuffers(n, nulls);
}

}  // namespace featmerge::pipeline::gen
