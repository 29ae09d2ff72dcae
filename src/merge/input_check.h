// Input stability: the inputs a merge reads must stay the files it planned for. Readers check a
// file's size and footer when they open it (ReaderCache), but a reader already open sees a file
// that is rewritten in place, and still reads one that was deleted; this check, run once the
// column chunks are written, catches those too. Thread-safety: a pure function of its arguments.
#pragma once

#include "base/status.h"
#include "io/file.h"
#include "merge/plan.h"

namespace featmerge::merge {

// OK when every input of `plan` (spine and tables) still has the size and modification time it
// had when planned. Otherwise Corruption naming the first input that changed, was truncated or
// was removed, and how.
Status CheckInputsUnchanged(const MergePlan& plan, io::FileSystem* fs);

}  // namespace featmerge::merge
