// featmerge: merges per-instrument Parquet feature tables into one wide training file with
// bounded memory. This is the command-line entry point; the work happens in the layers below.
#include <signal.h>

#include <cstdio>
#include <exception>
#include <new>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace featmerge::cli;
  // A write past RLIMIT_FSIZE must fail with EFBIG (reported with the path, the run resumable)
  // instead of killing the process with SIGXFSZ. Inherited by the children `run` starts.
  ::signal(SIGXFSZ, SIG_IGN);
  // The single try of the project: third-party exceptions (CLI11 parse errors, bad_alloc).
  try {
    CLI::App app{"featmerge " FEATMERGE_VERSION
                 ": merge Parquet feature tables into one training file, memory bounded"};
    app.set_version_flag("--version", std::string("featmerge ") + FEATMERGE_VERSION);
    app.require_subcommand(1);
    Runner runner;
    AddInspectCommand(&app, &runner);
    AddCatCommand(&app, &runner);
    AddGenCommand(&app, &runner);
    AddMergeCommand(&app, &runner);
    AddCheckCommand(&app, &runner);
    AddRunCommand(&app, &runner);
    AddConcatCommand(&app, &runner);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      int code = app.exit(e);
      return code == 0 ? kExitOk : kExitUsage;
    }
    return runner ? runner() : kExitUsage;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "featmerge: Resource exhausted: out of memory\n");
    return kExitResource;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "featmerge: Internal error: %s\n", e.what());
    return kExitBadInput;
  }
}
