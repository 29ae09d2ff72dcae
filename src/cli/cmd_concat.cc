// `featmerge concat FRAGMENTS... -o OUT.parquet [--force] [--json]`: joins the fragments
// written by `featmerge merge --shard K/N` into the file one merge would write, by copying
// column-chunk bytes and rewriting the footer. See merge/concat.h and docs/sharding.md.
// Exit codes: 0 written or up to date, 1 usage or fragments that do not form one output,
// 2 a damaged or missing fragment, 3 disk full, 130 interrupted (nothing at OUT).
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "base/units.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/signals.h"
#include "merge/concat.h"

namespace featmerge::cli {
namespace {

struct ConcatArgs {
  std::vector<std::string> fragments;
  std::string output;
  bool force = false;
  bool json = false;
};

int RunConcatCommand(const ConcatArgs& args) {
  InstallSignalHandlers();
  merge::ConcatOptions o;
  o.fragments = args.fragments;
  o.output = args.output;
  o.force = args.force;
  auto result = merge::ConcatFragments(o, nullptr, InterruptFlag());
  if (!result.ok()) return ReportError(result.status());
  const merge::ConcatSummary& s = *result;
  if (args.json) {
    nlohmann::json j = {{"event", "summary"},
                        {"output", s.output},
                        {"up_to_date", s.up_to_date},
                        {"fragments", s.fragments},
                        {"rows", s.rows},
                        {"columns", s.columns},
                        {"row_groups", s.row_groups},
                        {"output_bytes", s.output_bytes},
                        {"seconds", s.seconds},
                        {"fingerprint", s.fingerprint}};
    std::puts(j.dump().c_str());
    return kExitOk;
  }
  if (s.up_to_date) {
    fmt::print("{} is up to date (it holds these fragments' rows; --force rebuilds it)\n",
               s.output);
    return kExitOk;
  }
  fmt::print("wrote {} from {} fragments\n", s.output, s.fragments);
  fmt::print("  rows {}  columns {}  row groups {}  out {}  in {}\n", s.rows, s.columns,
             s.row_groups, FormatBytes(s.output_bytes), FormatSeconds(s.seconds));
  return kExitOk;
}

}  // namespace

void AddConcatCommand(CLI::App* app, Runner* runner) {
  auto args = std::make_shared<ConcatArgs>();
  CLI::App* cmd = app->add_subcommand(
      "concat", "Join the fragments of `merge --shard K/N` into one file (no re-encoding)");
  cmd->add_option("fragments", args->fragments, "The fragments, shards 1..N, in any order")
      ->required();
  cmd->add_option("-o,--output", args->output, "Output Parquet file")->required();
  cmd->add_flag("--force", args->force, "Rebuild even when the output is up to date");
  cmd->add_flag("--json", args->json, "Machine-readable summary on stdout");
  cmd->callback([args, runner] { *runner = [args] { return RunConcatCommand(*args); }; });
}

}  // namespace featmerge::cli
