#include "parquet/encoding/encoding.h"

#include "parquet/encoding/encoding_internal.h"

namespace featmerge::parquet {

using internal::StrCat;

namespace {

bool Applies(Encoding encoding, Type type) {
  switch (encoding) {
    case Encoding::kPlain:
      return true;
    case Encoding::kRle:
      return type == Type::kBoolean;  // levels and indices use RleBitPackedDecoder directly
    case Encoding::kDeltaBinaryPacked:
      return type == Type::kInt32 || type == Type::kInt64;
    case Encoding::kDeltaLengthByteArray:
      return type == Type::kByteArray;
    case Encoding::kDeltaByteArray:
      return type == Type::kByteArray || type == Type::kFixedLenByteArray;
    case Encoding::kByteStreamSplit:
      return type == Type::kFloat || type == Type::kDouble || type == Type::kInt32 ||
             type == Type::kInt64 || type == Type::kFixedLenByteArray;
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
    case Encoding::kBitPacked:
      return false;
  }
  return false;
}

Status CheckApplies(Encoding encoding, Type type, int type_length) {
  if (!IsKnownEncoding(static_cast<int32_t>(encoding))) {
    return Status::NotSupported(StrCat("unknown encoding ", static_cast<int32_t>(encoding)));
  }
  if (static_cast<int32_t>(type) < 0 || static_cast<int32_t>(type) > 7) {
    return Status::NotSupported(StrCat("unknown physical type ", static_cast<int32_t>(type),
                                       " for ", EncodingName(encoding)));
  }
  if (type == Type::kFixedLenByteArray && type_length <= 0) {
    return Status::Corruption(
        StrCat("FIXED_LEN_BYTE_ARRAY type_length ", type_length, " is not positive"));
  }
  if (encoding == Encoding::kPlainDictionary || encoding == Encoding::kRleDictionary) {
    return Status::NotSupported(StrCat(
        EncodingName(encoding),
        " is decoded by the column reader (dictionary page + RLE indices), not a value decoder"));
  }
  if (encoding == Encoding::kBitPacked) {
    return Status::NotSupported("BIT_PACKED is a level layout only (BitPackedLevelDecoder)");
  }
  if (!Applies(encoding, type)) {
    return Status::NotSupported(
        StrCat(EncodingName(encoding), " does not apply to ", TypeName(type), " values"));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Decoder>> MakeDecoder(Encoding encoding, Type type, int type_length) {
  FM_RETURN_IF_ERROR(CheckApplies(encoding, type, type_length));
  switch (encoding) {
    case Encoding::kPlain:
      return internal::MakePlainDecoder(type, type_length);
    case Encoding::kRle:
      return internal::MakeRleBooleanDecoder();
    case Encoding::kDeltaBinaryPacked:
      return internal::MakeDeltaBinaryPackedDecoder(type);
    case Encoding::kDeltaLengthByteArray:
      return internal::MakeDeltaLengthByteArrayDecoder();
    case Encoding::kDeltaByteArray:
      return internal::MakeDeltaByteArrayDecoder(type, type_length);
    case Encoding::kByteStreamSplit:
      return internal::MakeByteStreamSplitDecoder(type, type_length);
    default:
      break;
  }
  return Status::NotSupported(StrCat("unknown encoding ", static_cast<int32_t>(encoding)));
}

Result<std::unique_ptr<Encoder>> MakeEncoder(Encoding encoding, Type type, int type_length) {
  FM_RETURN_IF_ERROR(CheckApplies(encoding, type, type_length));
  switch (encoding) {
    case Encoding::kPlain:
      return internal::MakePlainEncoder(type, type_length);
    case Encoding::kRle:
      return internal::MakeRleBooleanEncoder();
    case Encoding::kDeltaBinaryPacked:
      return internal::MakeDeltaBinaryPackedEncoder(type);
    case Encoding::kDeltaLengthByteArray:
      return internal::MakeDeltaLengthByteArrayEncoder();
    case Encoding::kDeltaByteArray:
      return internal::MakeDeltaByteArrayEncoder(type, type_length);
    case Encoding::kByteStreamSplit:
      return internal::MakeByteStreamSplitEncoder(type, type_length);
    default:
      break;
  }
  return Status::NotSupported(StrCat("unknown encoding ", static_cast<int32_t>(encoding)));
}

}  // namespace featmerge::parquet
