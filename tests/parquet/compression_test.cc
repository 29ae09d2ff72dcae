#include "parquet/compression.h"

#include <gtest/gtest.h>
#include <lz4.h>
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace featmerge::parquet {
namespace {

// ---------------------------------------------------------------------------------------------
// Inputs

ByteBuffer RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  ByteBuffer bytes(n);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  return bytes;
}

// Plain-encoded doubles that move like prices, with runs of zeros: compresses, but not trivially.
ByteBuffer PriceBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> step(0.0, 0.01);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  ByteBuffer bytes(n);
  double price = 100.0;
  for (size_t pos = 0; pos < n; pos += sizeof(double)) {
    price *= 1.0 + step(rng);
    double value = unit(rng) < 0.12 ? 0.0 : std::round(price * 100.0) / 100.0;
    std::memcpy(bytes.data() + pos, &value, std::min(sizeof(double), n - pos));
  }
  return bytes;
}

ByteBuffer TextBytes(size_t n) {
  static const std::string kText =
      "featmerge merges Parquet feature tables; every page is compressed on its own. ";
  ByteBuffer bytes(n);
  for (size_t pos = 0; pos < n; ++pos) bytes[pos] = static_cast<uint8_t>(kText[pos % kText.size()]);
  return bytes;
}

std::unique_ptr<Codec> Make(Compression codec, int level = 0) {
  auto made = MakeCodec(codec, level);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return std::move(made).ValueOrDie();
}

ByteBuffer CompressOrDie(Codec& codec, ByteView in) {
  ByteBuffer out;
  Status status = codec.Compress(in, &out);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

// Decompresses into out_len bytes followed by a guard pattern that must survive: ASan sees
// overruns by our code, but the codec libraries are uninstrumented system builds.
Status DecompressTo(Codec& codec, ByteView in, size_t out_len, ByteBuffer* out) {
  constexpr size_t kGuardBytes = 256;
  constexpr uint8_t kGuardByte = 0xA5;
  *out = ByteBuffer(out_len + kGuardBytes, kGuardByte);
  Status status = codec.Decompress(in, out->data(), out_len);
  for (size_t guard_idx = out_len; guard_idx < out->size(); ++guard_idx) {
    if ((*out)[guard_idx] != kGuardByte) {
      ADD_FAILURE() << CompressionName(codec.id()) << " wrote past out_len " << out_len;
      break;
    }
  }
  out->resize(out_len);
  return status;
}

void ExpectRoundTrip(Codec& codec, const ByteBuffer& input) {
  ByteBuffer compressed = CompressOrDie(codec, input);
  ByteBuffer restored;
  Status status = DecompressTo(codec, compressed, input.size(), &restored);
  ASSERT_TRUE(status.ok()) << CompressionName(codec.id()) << " " << input.size()
                           << " bytes: " << status.ToString();
  EXPECT_TRUE(restored == input) << CompressionName(codec.id()) << " " << input.size();
}

void AppendBE32(ByteBuffer* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(v >> shift));
}

ByteBuffer Lz4Block(ByteView in) {
  ByteBuffer block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(in.size()))));
  int written = LZ4_compress_default(reinterpret_cast<const char*>(in.data()),
                                     reinterpret_cast<char*>(block.data()),
                                     static_cast<int>(in.size()), static_cast<int>(block.size()));
  EXPECT_GT(written, 0);
  block.resize(static_cast<size_t>(written));
  return block;
}

ByteBuffer Lz4Frame(ByteView in, bool with_content_size) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.contentSize = with_content_size ? in.size() : 0;
  ByteBuffer frame(LZ4F_compressFrameBound(in.size(), &prefs));
  size_t written = LZ4F_compressFrame(frame.data(), frame.size(), in.data(), in.size(), &prefs);
  EXPECT_FALSE(LZ4F_isError(written)) << LZ4F_getErrorName(written);
  frame.resize(written);
  return frame;
}

// ---------------------------------------------------------------------------------------------
// Every codec: parameterised over the codec ids MakeCodec supports, at their default levels.

class CodecTest : public ::testing::TestWithParam<Compression> {
 protected:
  void SetUp() override { codec_ = Make(GetParam()); }
  std::unique_ptr<Codec> codec_;
};

TEST_P(CodecTest, IdIsTheRequestedCodec) { EXPECT_EQ(codec_->id(), GetParam()); }

TEST_P(CodecTest, RandomInputsRoundTrip) {
  for (size_t size : {0, 1, 2, 3, 7, 8, 9, 100, 4096, 65536 + 3, 300000}) {
    ExpectRoundTrip(*codec_, RandomBytes(size, static_cast<uint32_t>(size)));
  }
}

TEST_P(CodecTest, CompressibleInputsRoundTripAndShrink) {
  for (size_t size : {1, 100, 4096, 65536, 1000000}) {
    ExpectRoundTrip(*codec_, TextBytes(size));
    ExpectRoundTrip(*codec_, PriceBytes(size, 7));
    ExpectRoundTrip(*codec_, ByteBuffer(size, 0));
  }
  if (GetParam() != Compression::kUncompressed) {
    EXPECT_LT(CompressOrDie(*codec_, TextBytes(65536)).size(), 65536u / 4);
  }
}

TEST_P(CodecTest, TenMegabytePageRoundTrips) {
  ByteBuffer input = PriceBytes(10 << 20, 3);
  ExpectRoundTrip(*codec_, input);
}

TEST_P(CodecTest, ReusedCodecRoundTripsPagesOfChangingSize) {
  for (size_t size : {50000, 10, 0, 120000, 1, 65536}) {
    ExpectRoundTrip(*codec_, PriceBytes(size, static_cast<uint32_t>(size)));
  }
}

TEST_P(CodecTest, CompressReplacesPreviousOutput) {
  ByteBuffer input = TextBytes(1000);
  ByteBuffer fresh = CompressOrDie(*codec_, input);
  ByteBuffer reused(100000, 0xAB);
  ASSERT_TRUE(codec_->Compress(input, &reused).ok());
  EXPECT_EQ(reused, fresh);
}

TEST_P(CodecTest, EmptyCompressedInputIsOnlyValidForAnEmptyPage) {
  ByteBuffer out;
  EXPECT_TRUE(DecompressTo(*codec_, ByteView(), 0, &out).ok());
  Status status = DecompressTo(*codec_, ByteView(), 10, &out);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  EXPECT_NE(status.message().find("0 compressed bytes, header says 10 bytes"), std::string::npos)
      << status.message();
}

TEST_P(CodecTest, WrongOutLenIsCorruption) {
  for (const ByteBuffer& input : {TextBytes(5000), RandomBytes(5000, 1), RandomBytes(1, 2)}) {
    ByteBuffer compressed = CompressOrDie(*codec_, input);
    size_t n = input.size();
    for (size_t out_len : {size_t{0}, n - 1, n + 1, 2 * n, n + 65536}) {
      if (out_len == n) continue;
      ByteBuffer out;
      Status status = DecompressTo(*codec_, compressed, out_len, &out);
      EXPECT_TRUE(status.IsCorruption()) << CompressionName(GetParam()) << " input " << n
                                         << " out_len " << out_len << ": " << status.ToString();
      EXPECT_NE(status.message().find(CompressionName(GetParam())), std::string::npos)
          << status.message();
    }
  }
}

TEST_P(CodecTest, TruncatedInputIsCorruption) {
  for (const ByteBuffer& input : {TextBytes(5000), RandomBytes(3000, 5), PriceBytes(200000, 9)}) {
    ByteBuffer compressed = CompressOrDie(*codec_, input);
    size_t n = compressed.size();
    for (size_t keep : {size_t{0}, size_t{1}, size_t{2}, size_t{4}, size_t{5}, size_t{8}, size_t{9},
                        size_t{12}, n / 3, n / 2, n - 4, n - 1}) {
      if (keep >= n) continue;
      ByteBuffer out;
      Status status = DecompressTo(*codec_, ByteView(compressed.data(), keep), input.size(), &out);
      EXPECT_TRUE(status.IsCorruption()) << CompressionName(GetParam()) << " kept " << keep
                                         << " of " << n << ": " << status.ToString();
    }
  }
}

TEST_P(CodecTest, TrailingGarbageIsCorruption) {
  ByteBuffer input = TextBytes(5000);
  ByteBuffer compressed = CompressOrDie(*codec_, input);
  for (uint8_t filler : {uint8_t{0x00}, uint8_t{0x5A}}) {
    ByteBuffer padded = compressed;
    padded.insert(padded.end(), 16, filler);
    ByteBuffer out;
    Status status = DecompressTo(*codec_, padded, input.size(), &out);
    EXPECT_TRUE(status.IsCorruption()) << CompressionName(GetParam()) << ": " << status.ToString();
  }
}

// Codecs without a checksum cannot notice every flipped byte; they must still fail cleanly or
// produce exactly out_len bytes, which ASan and the exact-size buffer check.
TEST_P(CodecTest, FlippedByteIsCorruptionOrHarmless) {
  for (const ByteBuffer& input : {TextBytes(3000), RandomBytes(1500, 3), PriceBytes(20000, 4)}) {
    ByteBuffer compressed = CompressOrDie(*codec_, input);
    size_t step = compressed.size() > 2000 ? compressed.size() / 1000 : 1;
    for (size_t pos = 0; pos < compressed.size(); pos += step) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
        ByteBuffer damaged = compressed;
        damaged[pos] ^= mask;
        ByteBuffer out;
        Status status = DecompressTo(*codec_, damaged, input.size(), &out);
        EXPECT_TRUE(status.ok() || status.IsCorruption())
            << CompressionName(GetParam()) << " byte " << pos << ": " << status.ToString();
      }
    }
  }
}

TEST_P(CodecTest, DecodesAgainAfterAFailedPage) {
  ByteBuffer input = PriceBytes(100000, 11);
  ByteBuffer compressed = CompressOrDie(*codec_, input);
  ByteBuffer out;
  ByteBuffer truncated(compressed.begin(), compressed.begin() + compressed.size() / 2);
  EXPECT_FALSE(DecompressTo(*codec_, truncated, input.size(), &out).ok());
  ASSERT_TRUE(DecompressTo(*codec_, compressed, input.size(), &out).ok());
  EXPECT_EQ(out, input);
}

TEST_P(CodecTest, EmptyPageMayUseANullBuffer) {
  ByteBuffer compressed = CompressOrDie(*codec_, ByteView());
  EXPECT_TRUE(codec_->Decompress(compressed, nullptr, 0).ok());
  EXPECT_TRUE(codec_->Decompress(ByteView(), nullptr, 0).ok());
}

TEST_P(CodecTest, OversizedPageIsCorruptionBeforeAnyWrite) {
  // The size check comes first, so the 1-byte buffer is never written to.
  uint8_t guard = 0x11;
  Status status = codec_->Decompress(AsBytes("abc"), &guard, size_t{1} << 31);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  EXPECT_EQ(guard, 0x11);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(Compression::kUncompressed, Compression::kSnappy,
                                           Compression::kGzip, Compression::kBrotli,
                                           Compression::kLz4, Compression::kZstd,
                                           Compression::kLz4Raw),
                         [](const ::testing::TestParamInfo<Compression>& info) {
                           return std::string(CompressionName(info.param));
                         });

// ---------------------------------------------------------------------------------------------
// MakeCodec

TEST(Codec, LzoIsNotSupported) {
  auto made = MakeCodec(Compression::kLzo);
  ASSERT_FALSE(made.ok());
  EXPECT_TRUE(made.status().IsNotSupported());
  EXPECT_EQ(made.status().message(), "compression codec LZO is not supported");
}

TEST(Codec, UnknownIdIsNotSupported) {
  auto made = MakeCodec(static_cast<Compression>(42));
  ASSERT_FALSE(made.ok());
  EXPECT_TRUE(made.status().IsNotSupported());
  EXPECT_EQ(made.status().message(), "compression codec id 42 is not supported");
}

TEST(Codec, LevelsOutOfRangeAreInvalidArgument) {
  struct Case {
    Compression codec;
    int level;
  };
  for (Case c : {Case{Compression::kZstd, 23}, Case{Compression::kZstd, -1},
                 Case{Compression::kGzip, 10}, Case{Compression::kGzip, -3},
                 Case{Compression::kBrotli, 12}, Case{Compression::kBrotli, -1}}) {
    auto made = MakeCodec(c.codec, c.level);
    ASSERT_FALSE(made.ok()) << CompressionName(c.codec) << " " << c.level;
    EXPECT_TRUE(made.status().IsInvalidArgument()) << made.status().ToString();
  }
}

TEST(Codec, EveryValidLevelRoundTrips) {
  ByteBuffer input = PriceBytes(30000, 5);
  for (int level = 1; level <= 22; ++level)
    ExpectRoundTrip(*Make(Compression::kZstd, level), input);
  for (int level = 1; level <= 9; ++level) ExpectRoundTrip(*Make(Compression::kGzip, level), input);
  for (int level = 1; level <= 11; ++level) {
    ExpectRoundTrip(*Make(Compression::kBrotli, level), input);
  }
}

TEST(Codec, LevelIsIgnoredByCodecsWithoutLevels) {
  for (Compression codec : {Compression::kSnappy, Compression::kLz4, Compression::kLz4Raw,
                            Compression::kUncompressed}) {
    EXPECT_TRUE(MakeCodec(codec, 7).ok()) << CompressionName(codec);
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

TEST(Codec, SnappyLengthMismatchNamesBothSizes) {
  auto codec = Make(Compression::kSnappy);
  ByteBuffer compressed = CompressOrDie(*codec, TextBytes(1000));
  ByteBuffer out;
  Status status = DecompressTo(*codec, compressed, 4096, &out);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(), "SNAPPY page decompresses to 1000 bytes, header says 4096");
}

TEST(Codec, ZstdDamageIsReportedWithTheLibraryReason) {
  auto codec = Make(Compression::kZstd);
  ByteBuffer compressed = CompressOrDie(*codec, RandomBytes(65536, 1));
  compressed[0] ^= 0xFF;  // the frame magic
  ByteBuffer out;
  Status status = DecompressTo(*codec, compressed, 65536, &out);
  EXPECT_TRUE(status.IsCorruption());
  EXPECT_EQ(status.message(),
            "ZSTD decompression failed: Unknown frame descriptor (expected 65536 bytes)");
}

TEST(Codec, UncompressedSizeMismatchNamesBothSizes) {
  auto codec = Make(Compression::kUncompressed);
  ByteBuffer out;
  Status status = DecompressTo(*codec, TextBytes(10), 12, &out);
  EXPECT_EQ(status.message(), "UNCOMPRESSED page has 10 bytes, header says 12");
}

// ---------------------------------------------------------------------------------------------
// ZSTD

TEST(Codec, ZstdFrameWithoutContentSizeDecodes) {
  ByteBuffer input = PriceBytes(200000, 1);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ASSERT_EQ(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)), 0u);
  ByteBuffer frame(ZSTD_compressBound(input.size()));
  size_t written = ZSTD_compress2(cctx, frame.data(), frame.size(), input.data(), input.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(written));
  frame.resize(written);
  ASSERT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), ZSTD_CONTENTSIZE_UNKNOWN);

  ByteBuffer out;
  ASSERT_TRUE(DecompressTo(*Make(Compression::kZstd), frame, input.size(), &out).ok());
  EXPECT_EQ(out, input);
}

// A frame may declare a window of up to 2 GiB; decoding into the caller's buffer needs none of it.
TEST(Codec, ZstdFrameDeclaringAHugeWindowDecodesIntoTheCallerBuffer) {
  ByteBuffer input = TextBytes(5000);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ASSERT_EQ(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)), 0u);
  ByteBuffer frame(ZSTD_compressBound(input.size()));
  size_t written = ZSTD_compress2(cctx, frame.data(), frame.size(), input.data(), input.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(written));
  frame.resize(written);
  // Frame header: magic (4), descriptor (1), then the window descriptor when the frame is not
  // single-segment, which it is not without a content size. Exponent 21 = window 2^31.
  ASSERT_EQ(frame[4] & 0x20, 0);
  frame[5] = 21 << 3;

  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kZstd), frame, input.size(), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(out, input);
}

// A frame claiming 1 TiB of content must fail against out_len, not allocate.
TEST(Codec, ZstdFrameDeclaringAHugeContentSizeIsCorruption) {
  ByteBuffer input = TextBytes(100);
  ByteBuffer frame = CompressOrDie(*Make(Compression::kZstd), input);
  // Single-segment frame of 100 bytes: descriptor with a 1-byte content size right after it.
  ASSERT_EQ(frame[4] & 0xE0, 0x20);
  ByteBuffer forged(frame.begin(), frame.begin() + 4);
  forged.push_back(static_cast<uint8_t>(0xC0 | (frame[4] & 0x3F)));  // 8-byte content size
  AppendLE<uint64_t>(&forged, uint64_t{1} << 40);
  forged.insert(forged.end(), frame.begin() + 6, frame.end());

  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kZstd), forged, input.size(), &out);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

TEST(Codec, ZstdConcatenatedFramesDecode) {
  auto codec = Make(Compression::kZstd);
  ByteBuffer a = TextBytes(3000);
  ByteBuffer b = RandomBytes(2000, 4);
  ByteBuffer frames = CompressOrDie(*codec, a);
  AppendBytes(&frames, CompressOrDie(*codec, b));
  ByteBuffer out;
  ASSERT_TRUE(DecompressTo(*codec, frames, a.size() + b.size(), &out).ok());
  ByteBuffer expected = a;
  AppendBytes(&expected, b);
  EXPECT_EQ(out, expected);
}

// ---------------------------------------------------------------------------------------------
// GZIP

TEST(Codec, GzipCompressWritesAGzipMember) {
  ByteBuffer compressed = CompressOrDie(*Make(Compression::kGzip), TextBytes(100));
  ASSERT_GE(compressed.size(), 18u);
  EXPECT_EQ(compressed[0], 0x1F);
  EXPECT_EQ(compressed[1], 0x8B);
}

TEST(Codec, GzipReadsAZlibStream) {
  ByteBuffer input = PriceBytes(50000, 2);
  uLongf size = compressBound(static_cast<uLong>(input.size()));
  ByteBuffer zlib_stream(size);
  ASSERT_EQ(compress2(zlib_stream.data(), &size, input.data(), static_cast<uLong>(input.size()), 6),
            Z_OK);
  zlib_stream.resize(size);
  ASSERT_EQ(zlib_stream[0] & 0x0F, 8);  // CM = deflate: a zlib header, not gzip

  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kGzip), zlib_stream, input.size(), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(out, input);
}

TEST(Codec, GzipReadsTwoConcatenatedMembers) {
  auto codec = Make(Compression::kGzip);
  ByteBuffer a = TextBytes(7000);
  ByteBuffer b = PriceBytes(9000, 3);
  ByteBuffer members = CompressOrDie(*codec, a);
  AppendBytes(&members, CompressOrDie(*codec, b));
  ByteBuffer out;
  Status status = DecompressTo(*codec, members, a.size() + b.size(), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ByteBuffer expected = a;
  AppendBytes(&expected, b);
  EXPECT_EQ(out, expected);
}

TEST(Codec, GzipMembersLongerThanTheHeaderSaysAreCorruption) {
  auto codec = Make(Compression::kGzip);
  ByteBuffer a = TextBytes(7000);
  ByteBuffer members = CompressOrDie(*codec, a);
  AppendBytes(&members, CompressOrDie(*codec, a));
  ByteBuffer out;
  Status status = DecompressTo(*codec, members, a.size(), &out);
  EXPECT_EQ(status.message(), "GZIP page decompresses to more than 7000 bytes, header says 7000");
}

TEST(Codec, GzipRawDeflateIsCorruption) {
  ByteBuffer input = TextBytes(1000);
  z_stream stream;
  std::memset(&stream, 0, sizeof(stream));
  ASSERT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  ByteBuffer raw(deflateBound(&stream, static_cast<uLong>(input.size())));
  stream.next_in = input.data();
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = raw.data();
  stream.avail_out = static_cast<uInt>(raw.size());
  ASSERT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  raw.resize(stream.total_out);
  deflateEnd(&stream);

  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kGzip), raw, input.size(), &out);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

// ---------------------------------------------------------------------------------------------
// BROTLI

TEST(Codec, BrotliBytesAfterTheStreamAreCorruption) {
  auto codec = Make(Compression::kBrotli);
  ByteBuffer input = TextBytes(2000);
  ByteBuffer compressed = CompressOrDie(*codec, input);
  compressed.push_back(0);
  ByteBuffer out;
  Status status = DecompressTo(*codec, compressed, input.size(), &out);
  EXPECT_EQ(status.message(),
            "BROTLI decompression failed: 1 bytes follow the end of the stream "
            "(expected 2000 bytes)");
}

// ---------------------------------------------------------------------------------------------
// LZ4 (deprecated id): every framing writers used decodes.

TEST(Codec, Lz4CompressWritesOneHadoopChunk) {
  ByteBuffer input = TextBytes(5000);
  ByteBuffer compressed = CompressOrDie(*Make(Compression::kLz4), input);
  ASSERT_GT(compressed.size(), 8u);
  ByteBuffer header;
  AppendBE32(&header, 5000);
  AppendBE32(&header, static_cast<uint32_t>(compressed.size() - 8));
  EXPECT_TRUE(std::equal(header.begin(), header.end(), compressed.begin()));
  // The block after the header is a plain LZ4 block, readable as LZ4_RAW.
  ByteBuffer out;
  ByteView block(compressed.data() + 8, compressed.size() - 8);
  ASSERT_TRUE(DecompressTo(*Make(Compression::kLz4Raw), block, input.size(), &out).ok());
  EXPECT_EQ(out, input);
}

TEST(Codec, Lz4EmptyPageIsOneEmptyHadoopChunk) {
  auto codec = Make(Compression::kLz4);
  ByteBuffer compressed = CompressOrDie(*codec, ByteView());
  EXPECT_EQ(compressed, (ByteBuffer{0, 0, 0, 0, 0, 0, 0, 1, 0}));
  ByteBuffer out;
  EXPECT_TRUE(DecompressTo(*codec, compressed, 0, &out).ok());
}

// A real page: the dictionary page of column s_low in the interop corpus file
// parquetrs__codec_lz4.parquet (parquet-rs 59.3.0), one Hadoop chunk of 80 bytes.
TEST(Codec, Lz4ParquetRsDictionaryPageDecodes) {
  static const char kHex[] =
      "000000500000003ca3060000004555525553440a00304742500a005155534443411400334e5a441e000014"
      "002048461e002741551400d04a505906000000474250555344";
  ByteBuffer page;
  for (size_t pos = 0; kHex[pos] != 0; pos += 2) {
    page.push_back(static_cast<uint8_t>(std::stoi(std::string(kHex + pos, 2), nullptr, 16)));
  }
  ByteBuffer expected;
  for (const char* pair :
       {"EURUSD", "EURGBP", "USDCAD", "NZDUSD", "USDCHF", "AUDUSD", "USDJPY", "GBPUSD"}) {
    AppendLE<uint32_t>(&expected, 6);
    AppendBytes(&expected, AsBytes(pair));
  }
  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kLz4), page, 80, &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(out, expected);
}

TEST(Codec, Lz4HadoopFramingWithSeveralChunksDecodes) {
  ByteBuffer input = PriceBytes(300000, 8);
  ByteBuffer framed;
  // Chunks of 128 KiB, as Hadoop's BlockCompressorStream cuts them, then the remainder.
  for (size_t pos = 0; pos < input.size(); pos += 128 << 10) {
    size_t len = std::min<size_t>(128 << 10, input.size() - pos);
    ByteBuffer block = Lz4Block(ByteView(input.data() + pos, len));
    AppendBE32(&framed, static_cast<uint32_t>(len));
    AppendBE32(&framed, static_cast<uint32_t>(block.size()));
    AppendBytes(&framed, block);
  }
  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kLz4), framed, input.size(), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(out, input);
}

// Hadoop writes one uncompressed length and then several blocks when one write() call exceeds
// its buffer (apache/arrow#43745).
TEST(Codec, Lz4HadoopChunkWithSeveralBlocksDecodes) {
  ByteBuffer input = PriceBytes(100000, 9);
  ByteBuffer framed;
  AppendBE32(&framed, static_cast<uint32_t>(input.size()));
  for (size_t pos = 0; pos < input.size(); pos += 30000) {
    size_t len = std::min<size_t>(30000, input.size() - pos);
    ByteBuffer block = Lz4Block(ByteView(input.data() + pos, len));
    AppendBE32(&framed, static_cast<uint32_t>(block.size()));
    AppendBytes(&framed, block);
  }
  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kLz4), framed, input.size(), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(out, input);
}

TEST(Codec, Lz4HadoopLengthsNotAddingUpAreCorruption) {
  ByteBuffer input = TextBytes(4000);
  ByteBuffer block = Lz4Block(input);
  ByteBuffer framed;
  AppendBE32(&framed, 4000);
  AppendBE32(&framed, static_cast<uint32_t>(block.size()));
  AppendBytes(&framed, block);
  ByteBuffer out;
  EXPECT_TRUE(DecompressTo(*Make(Compression::kLz4), framed, 8000, &out).IsCorruption());
  EXPECT_TRUE(DecompressTo(*Make(Compression::kLz4), framed, 3999, &out).IsCorruption());
  // A compressed length running past the page.
  ByteBuffer overlong = framed;
  overlong[7] += 1;
  EXPECT_TRUE(DecompressTo(*Make(Compression::kLz4), overlong, 4000, &out).IsCorruption());
}

TEST(Codec, Lz4RawBlockDecodes) {
  ByteBuffer input = PriceBytes(70000, 10);
  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kLz4), Lz4Block(input), input.size(), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(out, input);
}

TEST(Codec, Lz4FrameDecodes) {
  ByteBuffer input = PriceBytes(300000, 12);
  for (bool with_content_size : {false, true}) {
    ByteBuffer out;
    Status status = DecompressTo(*Make(Compression::kLz4), Lz4Frame(input, with_content_size),
                                 input.size(), &out);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(out, input);
  }
}

TEST(Codec, Lz4ConcatenatedFramesDecode) {
  ByteBuffer a = TextBytes(3000);
  ByteBuffer b = PriceBytes(5000, 1);
  ByteBuffer frames = Lz4Frame(a, true);
  AppendBytes(&frames, Lz4Frame(b, false));
  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kLz4), frames, a.size() + b.size(), &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ByteBuffer expected = a;
  AppendBytes(&expected, b);
  EXPECT_EQ(out, expected);
}

TEST(Codec, Lz4DamagedFrameIsCorruption) {
  ByteBuffer input = PriceBytes(100000, 13);
  ByteBuffer frame = Lz4Frame(input, true);
  ByteBuffer out;
  auto codec = Make(Compression::kLz4);
  Status truncated =
      DecompressTo(*codec, ByteView(frame.data(), frame.size() / 2), input.size(), &out);
  EXPECT_TRUE(truncated.IsCorruption()) << truncated.ToString();
  EXPECT_EQ(DecompressTo(*codec, frame, input.size() - 1, &out).message(),
            "LZ4 page decompresses to more than 99999 bytes, header says 99999");
  EXPECT_EQ(DecompressTo(*codec, frame, input.size() + 1, &out).message(),
            "LZ4 page decompresses to 100000 bytes, header says 100001");
  ByteBuffer damaged = frame;
  damaged[6] ^= 0x01;  // content size: the header checksum no longer matches
  EXPECT_EQ(DecompressTo(*codec, damaged, input.size(), &out).message(),
            "LZ4 decompression failed: LZ4 frame: ERROR_headerChecksum_invalid "
            "(expected 100000 bytes)");
}

TEST(Codec, Lz4DamagedHadoopPageReportsTheHadoopProblem) {
  auto codec = Make(Compression::kLz4);
  ByteBuffer compressed = CompressOrDie(*codec, TextBytes(5000));
  ByteBuffer out;
  Status status = DecompressTo(*codec, ByteView(compressed.data(), 50), 5000, &out);
  EXPECT_EQ(status.message().rfind("LZ4 decompression failed: Hadoop framing: block of ", 0), 0u)
      << status.message();
}

TEST(Codec, Lz4GarbageNamesAllThreeFramings) {
  ByteBuffer out;
  Status status = DecompressTo(*Make(Compression::kLz4), RandomBytes(100, 1), 1000, &out);
  EXPECT_EQ(status.message(),
            "LZ4 decompression failed: neither Hadoop-framed blocks, a raw LZ4 block nor an LZ4 "
            "frame (expected 1000 bytes)");
}

// ---------------------------------------------------------------------------------------------
// Page CRC

TEST(PageCrc32, KnownAnswer) { EXPECT_EQ(PageCrc32(AsBytes("123456789")), 0xCBF43926u); }

// The fast CRC must be zlib's crc32, the one other writers and readers use, at every length
// and alignment (the vector code has head, body and tail paths) and when chained.
TEST(PageCrc32, EqualsZlibAtEveryLengthAndOffset) {
  std::string data(70000, '\0');
  uint32_t x = 12345;
  for (char& c : data) c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t offset : {0, 1, 3, 7, 16}) {
    for (size_t len : {size_t{1}, size_t{15}, size_t{16}, size_t{63}, size_t{64}, size_t{65},
                       size_t{255}, size_t{1024}, size_t{4097}, size_t{65536}}) {
      const uint32_t want = static_cast<uint32_t>(crc32_z(0, bytes + offset, len));
      EXPECT_EQ(PageCrc32(ByteView(bytes + offset, len)), want) << offset << "+" << len;
      const uint32_t chained = static_cast<uint32_t>(crc32_z(want, bytes, 100));
      EXPECT_EQ(PageCrc32Extend(want, ByteView(bytes, 100)), chained);
    }
  }
}

TEST(PageCrc32, EmptyIsZero) { EXPECT_EQ(PageCrc32(ByteView()), 0u); }

TEST(PageCrc32, ExtendEqualsOneShotAtEverySplit) {
  ByteBuffer data = RandomBytes(300, 77);
  uint32_t whole = PageCrc32(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    uint32_t crc = PageCrc32(ByteView(data.data(), split));
    crc = PageCrc32Extend(crc, ByteView(data.data() + split, data.size() - split));
    EXPECT_EQ(crc, whole) << split;
  }
}

TEST(PageCrc32, ExtendWithNothingKeepsTheCrc) {
  uint32_t crc = PageCrc32(AsBytes("123456789"));
  EXPECT_EQ(PageCrc32Extend(crc, ByteView()), crc);
}

}  // namespace
}  // namespace featmerge::parquet
