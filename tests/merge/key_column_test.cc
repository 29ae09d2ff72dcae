// Key columns are read into memory sized by the rows actually decoded: a footer claiming
// billions of rows for a file of a few hundred bytes is an error, never a huge allocation.
#include "merge/key_column.h"

#include <gtest/gtest.h>

#include "io/file.h"
#include "parquet/file_reader.h"
#include "testing/parquet_files.h"
#include "testing/temp_dir.h"

namespace featmerge::merge {
namespace {

TEST(KeyColumn, ReadsEveryRowOfASoundFile) {
  testing::TempDir dir;
  const std::string path = dir.Join("keys.parquet");
  testing::WriteInt64File(path, "interval_time", 1000);
  auto file = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto type = KeyTypeOf((*file)->schema().column(0), path);
  ASSERT_TRUE(type.ok()) << type.status().ToString();
  StringKeyDictionary dict;
  auto keys = ReadKeyColumn(**file, 0, *type, &dict, true);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->values.size(), 1000u);
  EXPECT_EQ(keys->values[999], 999);
  EXPECT_TRUE(keys->sorted);
}

TEST(KeyColumn, FooterClaimingBillionsOfRowsIsCorruptionNotAnAllocation) {
  testing::TempDir dir;
  const std::string path = dir.Join("liar.parquet");
  testing::WriteInt64File(path, "interval_time", 10);
  constexpr int64_t kClaimed = int64_t{1} << 34;  // 128 GiB of keys if believed
  testing::EditFooter(path, [](parquet::FileMetaData* md) {
    md->num_rows = kClaimed;
    md->row_groups[0].num_rows = kClaimed;
    md->row_groups[0].columns[0].meta_data->num_values = kClaimed;
  });
  auto file = parquet::ParquetFileReader::Open(io::DefaultFileSystem(), path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();  // consistent, only untrue
  auto type = KeyTypeOf((*file)->schema().column(0), path);
  ASSERT_TRUE(type.ok());
  StringKeyDictionary dict;
  auto keys = ReadKeyColumn(**file, 0, *type, &dict, true);
  ASSERT_FALSE(keys.ok());
  EXPECT_TRUE(keys.status().IsCorruption()) << keys.status().ToString();
  EXPECT_NE(keys.status().message().find(path), std::string::npos) << keys.status().ToString();
}

}  // namespace
}  // namespace featmerge::merge
