// `featmerge gen OUTDIR --pairs a,b ...`: writes synthetic per-pair input (targets + feature
// tables) for tests, demos and benchmarks; see pipeline/generator.h for what the files hold.
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/units.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "pipeline/generator.h"

namespace featmerge::cli {
namespace {

struct GenArgs {
  pipeline::GenOptions options;
  std::string profile = "bqx";
  std::string compression = "zstd";
  bool no_marker = false;
  bool json = false;
};

Status RunGen(GenArgs args) {
  pipeline::GenOptions& o = args.options;
  if (args.profile == "bqx") {
    o.profile = pipeline::GenOptions::Profile::kBqx;
  } else if (args.profile == "uniform") {
    o.profile = pipeline::GenOptions::Profile::kUniform;
  } else {
    return Status::InvalidArgument("--profile must be bqx or uniform, got '" + args.profile + "'");
  }
  static const std::map<std::string, parquet::Compression> kCodecs = {
      {"zstd", parquet::Compression::kZstd},
      {"snappy", parquet::Compression::kSnappy},
      {"none", parquet::Compression::kUncompressed}};
  auto codec = kCodecs.find(args.compression);
  if (codec == kCodecs.end()) {
    return Status::InvalidArgument("--compression must be zstd, snappy or none, got '" +
                                   args.compression + "'");
  }
  o.compression = codec->second;
  o.marker = !args.no_marker;

  pipeline::GenReport report;
  FM_RETURN_IF_ERROR(pipeline::Generate(o, &report));

  if (args.json) {
    nlohmann::json j;
    j["out_dir"] = o.out_dir;
    j["profile"] = args.profile;
    j["seed"] = o.seed;
    j["files"] = report.files;
    j["bytes"] = report.bytes;
    j["rows"] = report.rows;
    j["seconds"] = report.seconds;
    j["pairs"] = nlohmann::json::array();
    for (const pipeline::GenPairReport& pr : report.pairs) {
      nlohmann::json p;
      p["pair"] = pr.pair;
      p["dir"] = pr.dir;
      p["files"] = pr.files;
      p["bytes"] = pr.bytes;
      p["rows"] = pr.rows;
      p["spine_rows"] = pr.spine_rows;
      p["seconds"] = pr.seconds;
      // The defects each file carries, so scripts know what a merge should report.
      nlohmann::json unsorted = nlohmann::json::array(), duplicates = nlohmann::json::array(),
                     mismatch = nlohmann::json::array(), clashes = nlohmann::json::array();
      for (const pipeline::GenTableInfo& t : pr.tables) {
        if (t.unsorted) unsorted.push_back(t.name);
        if (t.duplicates) duplicates.push_back(t.name);
        if (t.unit_mismatch) mismatch.push_back(t.name);
        if (!t.clash_column.empty())
          clashes.push_back({{"table", t.name}, {"column", t.clash_column}});
      }
      p["unsorted"] = unsorted;
      p["duplicates"] = duplicates;
      p["unit_mismatch"] = mismatch;
      p["name_clashes"] = clashes;
      j["pairs"].push_back(p);
    }
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const pipeline::GenPairReport& pr : report.pairs) {
      std::printf("%s: %lld files, %s, %lld spine rows, %s -> %s\n", pr.pair.c_str(),
                  static_cast<long long>(pr.files), FormatBytes(pr.bytes).c_str(),
                  static_cast<long long>(pr.spine_rows), FormatSeconds(pr.seconds).c_str(),
                  pr.dir.c_str());
    }
    std::printf("total: %zu pairs, %lld files, %s, %s\n", report.pairs.size(),
                static_cast<long long>(report.files), FormatBytes(report.bytes).c_str(),
                FormatSeconds(report.seconds).c_str());
  }
  if (std::fflush(stdout) != 0) return Status::IOError("cannot write to standard output");
  return Status::OK();
}

}  // namespace

void AddGenCommand(CLI::App* app, Runner* runner) {
  auto args = std::make_shared<GenArgs>();
  pipeline::GenOptions& o = args->options;
  CLI::App* cmd = app->add_subcommand(
      "gen", "Write synthetic per-pair input: OUTDIR/<pair>/{targets,<table>...}.parquet");
  cmd->add_option("outdir", o.out_dir, "Output directory (one subdirectory per pair)")->required();
  cmd->add_option("--pairs", o.pairs, "Pairs (comma-separated)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--profile", args->profile, "bqx (realistic) or uniform (benchmarks)")
      ->capture_default_str();
  cmd->add_option("--tables", o.tables, "Feature tables per pair")->capture_default_str();
  cmd->add_option("--cols", o.cols, "Columns per table: mean width (bqx), exact width (uniform)");
  cmd->add_option("--rows", o.rows, "Spine rows (one per minute)")->capture_default_str();
  cmd->add_option("--seed", o.seed, "Seed: same seed, same bytes")->capture_default_str();
  cmd->add_option("--row-group-rows", o.row_group_rows, "Rows per row group (default rows/4)");
  cmd->add_option("--key-unit", o.key_unit, "interval_time unit: ns, us or ms")
      ->capture_default_str();
  cmd->add_option("--duplicates", o.duplicate_rate,
                  "Share of rows repeated with the same key, in ~10% of tables");
  cmd->add_option("--name-clashes", o.name_clashes,
                  "Tables given a column named like another table's column");
  cmd->add_option("--unit-mismatch", o.unit_mismatch_tables,
                  "Tables whose key uses another time unit");
  cmd->add_option("--unsorted", o.unsorted_tables,
                  "Tables with shuffled rows (default: bqx ~3%, uniform 0)");
  cmd->add_option("--compression", args->compression, "zstd, snappy or none")
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Writer threads (default: one per core)");
  cmd->add_flag("--no-marker", args->no_marker, "Do not write <pair>/_COMPLETE");
  cmd->add_flag("--force", o.overwrite, "Replace .parquet files in non-empty pair directories");
  cmd->add_flag("--json", args->json, "Print a JSON summary");
  cmd->callback([args, runner] {
    *runner = [args] {
      Status s = RunGen(*args);
      return s.ok() ? kExitOk : ReportError(s);
    };
  });
}

}  // namespace featmerge::cli
