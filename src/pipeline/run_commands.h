// How `featmerge run` talks to its children: the command lines of the `merge` (and `check`)
// children, and the error a child left in its log. Thread-safety: pure functions (reading a
// log is a file read).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/batch.h"
#include "pipeline/config.h"

namespace featmerge::pipeline {

// `<exe> merge <input> -o <output> --json ...`: every merge option of the config (with {pair}
// expanded in globs and the manifest path), and the pair's share of budget and threads.
std::vector<std::string> MergeCommand(const RunConfig& config, const BatchOptions& options,
                                      const PairResult& pair);
// The command as a shell would take it, for logs (with /proc/self/exe resolved).
std::string CommandLineText(const std::vector<std::string>& argv);
// The message of the last "featmerge: <code>: <message>" line written to `log` after `offset`
// (as cli::ReportError prints it: "<code>: <message>"), or "" when there is none.
std::string ErrorLineFromLog(const std::string& log, uint64_t offset);

}  // namespace featmerge::pipeline
