// Internals shared by the encoding files: one factory per encoding file (called by MakeDecoder
// and MakeEncoder once the encoding/type pair is known to apply) and message helpers.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/logging.h"
#include "base/status.h"
#include "parquet/encoding/encoding.h"
#include "parquet/types.h"

namespace featmerge::parquet::internal {

// REQUIRES for all factories: the encoding applies to `type`, and type_length > 0 for
// FIXED_LEN_BYTE_ARRAY.
std::unique_ptr<Decoder> MakePlainDecoder(Type type, int type_length);
std::unique_ptr<Encoder> MakePlainEncoder(Type type, int type_length);
std::unique_ptr<Decoder> MakeRleBooleanDecoder();
std::unique_ptr<Encoder> MakeRleBooleanEncoder();
std::unique_ptr<Decoder> MakeDeltaBinaryPackedDecoder(Type type);
std::unique_ptr<Encoder> MakeDeltaBinaryPackedEncoder(Type type);
std::unique_ptr<Decoder> MakeDeltaLengthByteArrayDecoder();
std::unique_ptr<Encoder> MakeDeltaLengthByteArrayEncoder();
std::unique_ptr<Decoder> MakeDeltaByteArrayDecoder(Type type, int type_length);
std::unique_ptr<Encoder> MakeDeltaByteArrayEncoder(Type type, int type_length);
std::unique_ptr<Decoder> MakeByteStreamSplitDecoder(Type type, int type_length);
std::unique_ptr<Encoder> MakeByteStreamSplitEncoder(Type type, int type_length);

// Concatenates strings and numbers for error messages (cold paths only).
inline void AppendPiece(std::string* out, std::string_view s) { out->append(s); }
inline void AppendPiece(std::string* out, const char* s) { out->append(s); }
template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
inline void AppendPiece(std::string* out, T v) {
  out->append(std::to_string(v));
}
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (AppendPiece(&out, args), ...);
  return out;
}

// Corruption unless n values can be taken from the `left` the page still holds. Callers
// normally derive n from the page's own counts, so a mismatch means the page is inconsistent.
inline Status CheckRequest(const char* encoding, int64_t n, int64_t left) {
  if (n < 0 || n > left) {
    return Status::Corruption(
        StrCat(encoding, ": ", n, " values requested but the page has ", left, " left"));
  }
  return Status::OK();
}

// For a decoder method called on the wrong kind of column (a caller bug).
inline Status WrongKind(const char* encoding, Type type, const char* method) {
  return Status::InvalidArgument(
      StrCat(encoding, ": ", method, " called on a ", TypeName(type), " decoder"));
}

}  // namespace featmerge::parquet::internal
