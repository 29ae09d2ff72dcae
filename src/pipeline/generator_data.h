// What `featmerge gen` puts in its tables: seed-derived plans of tables and columns, key sets and
// row orders, and column values produced row group by row group. Computation only, no I/O; the
// file writing lives in generator.cc. Thread-safety: plans are immutable once built; a Rng or a
// ColumnGen belongs to one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/column_data.h"
#include "parquet/types.h"
#include "pipeline/generator.h"

namespace featmerge::pipeline::gen {

// Seeds are hashes of what a stream generates (seed, pair, table, column), so a file's bytes do
// not depend on which thread wrote it or in which order.
uint64_t Combine(uint64_t a, uint64_t b);
uint64_t HashName(std::string_view name);

// xoshiro256**: a few cycles per draw, which matters at hundreds of millions of values.
class Rng {
 public:
  explicit Rng(uint64_t seed);
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
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  int64_t Below(int64_t n) {  // [0, n); 0 when n <= 1
    return n <= 1 ? 0 : static_cast<int64_t>(Next() % static_cast<uint64_t>(n));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Triangular on (-1, 1) from one draw: bell-shaped enough for random-walk steps, and much
  // cheaper than a Gaussian.
  double Noise() {
    const uint64_t r = Next();
    return static_cast<double>((r >> 32) + (r & 0xffffffffu)) * 0x1.0p-32 - 1.0;
  }
  double Normal();  // Box-Muller: for plans, not per value

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// ---- Plans: what each feature table looks like. They depend on the seed only, not on the pair,
// so every pair has the same tables and columns, as in the real extraction.

enum class Kind : uint8_t { kWalk, kZScore, kRegime, kSession, kCount, kFlag };
parquet::Type TypeOf(Kind kind);

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
  bool gaps = false;                // 5-11% of the spine's keys missing
  bool extra_before = false, extra_after = false, extra_between = false;
  bool unsorted = false, duplicates = false, unit_mismatch = false;
  std::string clash_column;  // the column renamed after another table's column, or ""
};

// REQUIRES: options passed Generate()'s validation.
std::vector<TablePlan> PlanTables(const GenOptions& options);

// ---- Keys, counted in half-minutes from the pair's start: the spine is 0, 2, ..., 2(rows-1);
// odd values are +30 s keys between minutes, negative ones lie before the spine.

// The table's keys in ascending order (gaps removed, extra keys added).
std::vector<int64_t> BuildKeys(const TablePlan& table, int64_t rows, Rng* rng);

// Physical row p of a file holds key keys[map[p]] (identity when map is empty). copy[p] = 1
// marks a duplicated key whose row repeats row p - 1 exactly (empty: none).
struct RowOrder {
  int64_t rows = 0;
  std::vector<int64_t> map;
  std::vector<uint8_t> copy;
  int64_t key_index(int64_t p) const { return map.empty() ? p : map[static_cast<size_t>(p)]; }
};
RowOrder BuildRowOrder(const TablePlan& table, int64_t keys, double duplicate_rate, Rng* rng);

struct KeyEncoding {
  parquet::TimeUnit unit = parquet::TimeUnit::kNanos;
  int64_t start = 0;        // the pair's first spine key, in `unit`
  int64_t half_minute = 0;  // 30 s in `unit`
};
KeyEncoding MakeKeyEncoding(parquet::TimeUnit unit, int64_t start_seconds);

// Appends the keys of physical rows [first, first + n) to *out (Reset to INT64).
void FillKeys(const std::vector<int64_t>& half_minutes, const RowOrder& order,
              const KeyEncoding& encoding, int64_t first, int64_t n, parquet::ColumnData* out);

// ---- Values

// One feature column in file order, row group after row group, carrying its state (walk level,
// label, previous row) across calls. `plan` must outlive it.
class ColumnGen {
 public:
  ColumnGen(const ColumnPlan& plan, uint64_t seed);
  // Appends rows [first, first + n) to *out (Reset to this column's type). copy: null, or n flags
  // telling which rows repeat the previous row.
  void Fill(int64_t first, int64_t n, const uint8_t* copy, parquet::ColumnData* out);

 private:
  bool IsNull(int64_t row) {
    return plan_->all_null || row < plan_->warmup ||
           (plan_->null_rate > 0 && rng_.Uniform() < plan_->null_rate);
  }
  template <typename T, typename NextFn>
  void FillFixed(int64_t first, int64_t n, const uint8_t* copy, parquet::ColumnData* out,
                 NextFn next);
  void FillLabels(int64_t first, int64_t n, const uint8_t* copy, parquet::ColumnData* out);

  const ColumnPlan* plan_;
  Rng rng_;
  double level_ = 0;
  int64_t rate_ = 0;
  int64_t state_ = 0;
  bool last_valid_ = false;
  uint64_t last_bits_ = 0;  // the previous row's value, for duplicated keys
};

// Targets: horizons x kinds DOUBLE columns computed from one price path per pair; the last
// `horizon` rows of each are NULL, as real targets are unknown at the end of the history.
std::vector<std::string> TargetNames();  // "target_1m_ret", ...
std::vector<double> PricePath(int64_t rows, uint64_t seed);
// Appends rows [first, first + n) of target column `target_idx` (an index into TargetNames()).
void FillTarget(const std::vector<double>& path, int target_idx, int64_t first, int64_t n,
                parquet::ColumnData* out);

}  // namespace featmerge::pipeline::gen
