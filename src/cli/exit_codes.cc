#include "cli/exit_codes.h"

#include <cstdio>
#include <string>

namespace featmerge::cli {

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kResourceExhausted: return kExitResource;
    case StatusCode::kCancelled: return kExitInterrupted;
    default: return kExitBadInput;
  }
}

int ReportError(const Status& s) {
  std::string msg = s.message();
  for (char& c : msg) {
    if (c == '\n') c = ' ';  // one line, always
  }
  std::fprintf(stderr, "featmerge: %s: %s\n", StatusCodeName(s.code()), msg.c_str());
  return ExitCodeFor(s);
}

}  // namespace featmerge::cli
