// The featmerge subcommands: each registers its options on the CLI11 app and returns a
// runner called after parsing. Thread-safety: used from main() only.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace featmerge::cli {

using Runner = std::function<int()>;

// Each Add*Command registers a subcommand and stores its runner in *runner when chosen.
void AddInspectCommand(CLI::App* app, Runner* runner);
void AddCatCommand(CLI::App* app, Runner* runner);
void AddGenCommand(CLI::App* app, Runner* runner);
void AddMergeCommand(CLI::App* app, Runner* runner);
void AddCheckCommand(CLI::App* app, Runner* runner);
void AddRunCommand(CLI::App* app, Runner* runner);
void AddConcatCommand(CLI::App* app, Runner* runner);

}  // namespace featmerge::cli
