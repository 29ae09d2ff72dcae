#include "merge/input_check.h"

#include <string>

namespace featmerge::merge {

Status CheckInputsUnchanged(const MergePlan& plan, io::FileSystem* fs) {
  for (const SourceTable& t : plan.tables) {
    auto info = fs->Stat(t.path);
    std::string what;
    if (!info.ok()) {
      what = info.status().IsNotFound() ? "was removed"
                                        : "cannot be checked (" + info.status().message() + ")";
    } else if (info->size != t.info.size) {
      what = std::string(info->size < t.info.size ? "was truncated" : "grew") + " (" +
             std::to_string(t.info.size) + " -> " + std::to_string(info->size) + " bytes)";
    } else if (info->mtime_ns != t.info.mtime_ns) {
      what = "was rewritten (same size, new modification time)";
    } else {
      continue;
    }
    return Status::Corruption(
        "input '" + t.path + "' " + what +
        " while the merge ran; its partial output was discarded (it may " +
        "hold data of the changed file): run again once the inputs are stable");
  }
  return Status::OK();
}

}  // namespace featmerge::merge
