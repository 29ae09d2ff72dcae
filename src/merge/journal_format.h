// Constants of the journal file format, shared by its writer and reader.
// The format is described in docs/journal_format.md.
#pragma once

#include <cstdint>

namespace featmerge::merge::journal {

inline constexpr char kMagic[8] = {'F', 'M', 'J', 'O', 'U', 'R', 'N', '1'};
inline constexpr uint32_t kVersion = 1;
// Record header: payload length (u32 LE) + CRC-32 of the payload (u32 LE).
inline constexpr int kRecordHeaderSize = 8;
// A record larger than this is treated as damage (a chunk record holds one column chunk's
// metadata and page indexes: kilobytes).
inline constexpr uint32_t kMaxRecordSize = 64u << 20;

enum RecordType : uint8_t {
  kChunk = 1,        // one committed column chunk
  kRowGroupEnd = 2,  // the open row group is closed
  kFinished = 3,     // the footer is written and synced; the file awaits its rename
};

}  // namespace featmerge::merge::journal
