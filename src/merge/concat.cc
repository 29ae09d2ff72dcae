#include "merge/concat.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "io/probes.h"
#include "merge/manifest.h"
#include "merge/merge.h"
#include "merge/shard.h"
#include "parquet/file_reader.h"
#include "parquet/format/thrift_codec.h"

namespace featmerge::merge {
namespace {

constexpr uint8_t kMagic[4] = {'P', 'A', 'R', '1'};

struct Fragment {
  std::string path;
  std::unique_ptr<parquet::ParquetFileReader> reader;
  ShardInfo info;
  std::vector<parquet::KeyValue> key_value;  // the footer's entries without the shard entry
  uint64_t data_end = 0;  // its column chunks tile [4, data_end): the bytes copied
  int64_t delta = 0;      // (where its byte 4 lands in the output) - 4
};

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

std::string ElementText(const parquet::SchemaElement& e) {
  std::string text = "'" + e.name + "'";
  if (e.type) text += " " + std::string(parquet::TypeName(*e.type));
  if (e.repetition)
    text += *e.repetition == parquet::Repetition::kRequired ? " required" : " optional";
  return text;
}

// "" when equal, else what differs first.
std::string SchemaDifference(const std::vector<parquet::SchemaElement>& a,
                             const std::vector<parquet::SchemaElement>& b) {
  if (a.size() != b.size()) {
    return std::to_string(b.size() - 1) + " schema fields instead of " +
           std::to_string(a.size() - 1);
  }
  for (size_t i = 0; i < a.size(); i++) {
    const parquet::SchemaElement& x = a[i];
    const parquet::SchemaElement& y = b[i];
    const bool same = x.type == y.type && x.type_length == y.type_length &&
                      x.repetition == y.repetition && x.name == y.name &&
                      x.num_children == y.num_children && x.converted_type == y.converted_type &&
                      x.scale == y.scale && x.precision == y.precision &&
                      x.field_id == y.field_id && x.logical_type == y.logical_type;
    if (!same) {
      return "field " + std::to_string(i) + " is " + ElementText(y) + " there, " + ElementText(x) +
             " here";
    }
  }
  return "";
}

bool SameKeyValues(const std::vector<parquet::KeyValue>& a,
                   const std::vector<parquet::KeyValue>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (a[i].key != b[i].key || a[i].value != b[i].value) return false;
  }
  return true;
}

// Opens one fragment and checks it on its own: a complete Parquet file, written by
// `featmerge merge --shard`, whose column chunks are contiguous from byte 4.
Status OpenFragment(io::FileSystem* fs, Fragment* f) {
  const std::string where = "fragment " + Quoted(f->path);
  if (!fs->Exists(f->path)) return Status::NotFound(where + " does not exist");
  auto reader = parquet::ParquetFileReader::Open(fs, f->path);
  if (!reader.ok()) {
    return reader.status().WithContext(where + " is damaged or incomplete");
  }
  f->reader = std::move(reader).value();
  const parquet::ParquetFileReader& r = *f->reader;
  std::optional<std::string> shard_json;
  for (const parquet::KeyValue& kv : r.metadata().key_value_metadata) {
    if (kv.key == kShardMetadataKey) {
      shard_json = kv.value.value_or("");
    } else {
      f->key_value.push_back(kv);
    }
  }
  if (!shard_json) {
    return Status::InvalidArgument(
        where + " is not a shard fragment (its footer has no '" + kShardMetadataKey +
        "' entry; fragments are written by `featmerge merge --shard K/N`)");
  }
  FM_ASSIGN_OR_RETURN(f->info, ParseShardInfo(*shard_json, where));
  if (r.num_row_groups() != f->info.row_groups || r.num_rows() != f->info.rows) {
    return Status::Corruption(where + " holds " + std::to_string(r.num_row_groups()) +
                              " row groups and " + std::to_string(r.num_rows()) +
                              " rows, its shard entry says " + std::to_string(f->info.row_groups) +
                              " and " + std::to_string(f->info.rows));
  }
  // The column chunks must tile the data area from byte 4 in file order: that area is copied
  // as one range, so nothing else may live in it.
  uint64_t pos = 4;
  for (int rg = 0; rg < r.num_row_groups(); rg++) {
    for (int c = 0; c < r.num_columns(); c++) {
      const parquet::ColumnMetaData& md = r.column_meta(rg, c);
      if (md.index_page_offset || md.bloom_filter_offset) {
        return Status::NotSupported(
            where + ", " + r.Where(rg, c) +
            " has an index page or a bloom filter (not a featmerge fragment)");
      }
      uint64_t start, length;
      r.ChunkRange(rg, c, &start, &length);
      if (start != pos) {
        return Status::Corruption(where + ", " + r.Where(rg, c) + " starts at byte " +
                                  std::to_string(start) + ", expected " + std::to_string(pos) +
                                  " (column chunks are not contiguous)");
      }
      pos += length;
    }
  }
  f->data_end = pos;
  const uint64_t footer_start = r.file_size() - 8 - r.footer_size();
  for (int rg = 0; rg < r.num_row_groups(); rg++) {
    for (const parquet::ColumnChunk& cc : r.row_group_columns(rg)) {
      for (auto [off, len] : {std::pair{cc.column_index_offset, cc.column_index_length},
                              std::pair{cc.offset_index_offset, cc.offset_index_length}}) {
        if (!off) continue;
        if (!len || *off < static_cast<int64_t>(pos) || *len < 0 ||
            static_cast<uint64_t>(*off) + static_cast<uint64_t>(*len) > footer_start) {
          return Status::Corruption(where + ", row group " + std::to_string(rg) +
                                    ": a page index lies outside the index area");
        }
      }
    }
  }
  return Status::OK();
}

// Checks that the fragments (sorted by shard number) are shards 1..N of one output.
Status CheckBelongTogether(const std::vector<Fragment>& frags) {
  const Fragment& first = frags[0];
  const int count = first.info.spec.count;
  for (size_t i = 1; i < frags.size(); i++) {
    const Fragment& f = frags[i];
    const std::string pair = Quoted(f.path) + " does not belong with " + Quoted(first.path);
    const std::string diff =
        SchemaDifference(first.reader->metadata().schema, f.reader->metadata().schema);
    if (!diff.empty()) return Status::InvalidArgument(pair + ": different schema (" + diff + ")");
    if (f.info.fingerprint != first.info.fingerprint ||
        f.info.total_row_groups != first.info.total_row_groups ||
        f.info.total_rows != first.info.total_rows) {
      return Status::InvalidArgument(pair + ": they come from different merges (plan fingerprint " +
                                     f.info.fingerprint + " vs " + first.info.fingerprint +
                                     ": other inputs or options, or another row-group size)");
    }
    if (f.info.spec.count != count) {
      return Status::InvalidArgument(pair + ": it is shard " + f.info.spec.Text() + ", the other " +
                                     first.info.spec.Text() + " (different splits)");
    }
    if (!SameKeyValues(f.key_value, first.key_value) ||
        f.reader->metadata().created_by != first.reader->metadata().created_by ||
        f.reader->metadata().column_orders != first.reader->metadata().column_orders ||
        f.reader->metadata().version != first.reader->metadata().version) {
      return Status::InvalidArgument(pair + ": their footers' metadata differ");
    }
    if (f.info.spec.index == frags[i - 1].info.spec.index) {
      return Status::InvalidArgument("shard " + f.info.spec.Text() +
                                     " is given twice: " + Quoted(frags[i - 1].path) + " and " +
                                     Quoted(f.path) + " (overlapping fragments)");
    }
  }
  std::vector<std::string> missing;
  std::string given;
  for (int k = 1, i = 0; k <= count; k++) {
    if (static_cast<size_t>(i) < frags.size() &&
        frags[static_cast<size_t>(i)].info.spec.index == k) {
      given += (given.empty() ? "" : ", ") + std::to_string(k);
      i++;
    } else {
      missing.push_back(std::to_string(k) + "/" + std::to_string(count));
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 20; i++) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 20) list += ", ...";
    return Status::InvalidArgument(std::to_string(missing.size()) + " of " + std::to_string(count) +
                                   " shards missing: " + list + " (given: shard" +
                                   (frags.size() > 1 ? "s " : " ") + given + ")");
  }
  int64_t row_group = 0, row = 0;
  for (const Fragment& f : frags) {
    int64_t first_rg = 0, end_rg = 0;
    ShardRowGroups(f.info.total_row_groups, f.info.spec, &first_rg, &end_rg);
    if (f.info.first_row_group != row_group || f.info.first_row != row ||
        first_rg != f.info.first_row_group || end_rg - first_rg != f.info.row_groups) {
      return Status::InvalidArgument(
          Quoted(f.path) + " (shard " + f.info.spec.Text() + ") holds row groups [" +
          std::to_string(f.info.first_row_group) + ", " +
          std::to_string(f.info.first_row_group + f.info.row_groups) + ") from row " +
          std::to_string(f.info.first_row) + ", expected [" + std::to_string(row_group) + ", " +
          std::to_string(end_rg) + ") from row " + std::to_string(row) +
          " (a gap or an overlap between fragments)");
    }
    row_group += f.info.row_groups;
    row += f.info.rows;
  }
  if (row_group != first.info.total_row_groups || row != first.info.total_rows) {
    return Status::InvalidArgument("the fragments hold " + std::to_string(row_group) +
                                   " row groups and " + std::to_string(row) +
                                   " rows, the output has " +
                                   std::to_string(first.info.total_row_groups) + " and " +
                                   std::to_string(first.info.total_rows));
  }
  return Status::OK();
}

Status CheckInterrupt(const std::atomic<bool>* interrupt) {
  if (interrupt != nullptr && interrupt->load()) {
    return Status::Cancelled("interrupted; nothing was written to the output (run concat again)");
  }
  return Status::OK();
}

// Streams [offset, offset + length) of `in` to `out` through `buffer` (fixed size).
Status CopyRange(const io::RandomAccessFile& in, uint64_t offset, uint64_t length,
                 io::AppendFile* out, ByteBuffer* buffer, const std::atomic<bool>* interrupt) {
  while (length > 0) {
    FM_RETURN_IF_ERROR(CheckInterrupt(interrupt));
    const uint64_t n = std::min<uint64_t>(length, buffer->size());
    FM_RETURN_IF_ERROR(in.ReadAt(offset, n, buffer->data()));
    FM_RETURN_IF_ERROR(out->Append(ByteView(buffer->data(), n)));
    offset += n;
    length -= n;
  }
  return Status::OK();
}

std::string ConcatManifest(const std::vector<Fragment>& frags, const ConcatSummary& s) {
  // The first fragment's manifest (inputs, options) with the whole output's figures; without
  // it, the fields a later run needs (fingerprint and size: see merge's up-to-date check).
  nlohmann::json j;
  auto text = io::ReadWholeFile(io::DefaultFileSystem(), ManifestPath(frags[0].path), 256ull << 20);
  if (text.ok()) j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    j = nlohmann::json::object();
    j["format"] = "featmerge-manifest";
    j["format_version"] = 1;
  }
  j.erase("shard");
  j["featmerge_version"] = FEATMERGE_VERSION;
  j["fingerprint"] = s.fingerprint;
  j["output"] = {{"path", s.output},        {"rows", s.rows},
                 {"columns", s.columns},    {"row_groups", s.row_groups},
                 {"bytes", s.output_bytes}, {"footer_bytes", s.footer_bytes}};
  nlohmann::json paths = nlohmann::json::array();
  for (const Fragment& f : frags) paths.push_back(f.path);
  j["concat"] = {{"fragments", paths}, {"seconds", s.seconds}};
  return j.dump(2) + "\n";
}

Status WriteOutput(std::vector<Fragment>* frags, const ConcatOptions& o, io::AppendFile* file,
                   const std::atomic<bool>* interrupt, ConcatSummary* summary) {
  ByteBuffer buffer(std::max<uint64_t>(o.copy_buffer_bytes, 4096));
  FM_RETURN_IF_ERROR(file->Append(ByteView(kMagic, 4)));
  for (Fragment& f : *frags) {
    f.delta = static_cast<int64_t>(file->size()) - 4;
    FM_RETURN_IF_ERROR(CopyRange(f.reader->file(), 4, f.data_end - 4, file, &buffer, interrupt));
  }
  if (o.test_hook) o.test_hook("concat-data-copied");

  // The footer: the first fragment's, with every fragment's row groups moved to their place.
  const parquet::FileMetaData& head = (*frags)[0].reader->metadata();
  parquet::FileMetaData md;
  md.version = head.version;
  md.schema = head.schema;
  md.created_by = head.created_by;
  md.column_orders = head.column_orders;
  md.key_value_metadata = (*frags)[0].key_value;
  for (const Fragment& f : *frags) {
    for (int i = 0; i < f.reader->num_row_groups(); i++) {
      parquet::RowGroup rg = f.reader->row_group(i);
      for (parquet::ColumnChunk& cc : rg.columns) {
        parquet::ColumnMetaData& cm = *cc.meta_data;
        cm.data_page_offset += f.delta;
        if (cm.dictionary_page_offset) *cm.dictionary_page_offset += f.delta;
        cc.file_offset += f.delta;
        cc.column_index_offset.reset();
        cc.column_index_length.reset();
        cc.offset_index_offset.reset();
        cc.offset_index_length.reset();
      }
      if (rg.file_offset) *rg.file_offset += f.delta;
      if (rg.ordinal)
        rg.ordinal = static_cast<int16_t>(std::min<size_t>(md.row_groups.size(), 32767));
      md.num_rows += rg.num_rows;
      md.row_groups.push_back(std::move(rg));
    }
  }
  // Page indexes in the single run's order: every column index (row group by row group), then
  // every offset index. Column indexes hold no offsets and are copied; offset indexes are
  // re-encoded with their page offsets moved.
  size_t out_rg = 0;
  for (const Fragment& f : *frags) {
    for (int i = 0; i < f.reader->num_row_groups(); i++, out_rg++) {
      const std::vector<parquet::ColumnChunk>& in_cols = f.reader->row_group_columns(i);
      for (size_t c = 0; c < in_cols.size(); c++) {
        const parquet::ColumnChunk& in = in_cols[c];
        if (!in.column_index_offset) continue;
        parquet::ColumnChunk& out = md.row_groups[out_rg].columns[c];
        out.column_index_offset = static_cast<int64_t>(file->size());
        out.column_index_length = in.column_index_length;
        FM_RETURN_IF_ERROR(
            CopyRange(f.reader->file(), static_cast<uint64_t>(*in.column_index_offset),
                      static_cast<uint64_t>(*in.column_index_length), file, &buffer, interrupt));
      }
    }
  }
  out_rg = 0;
  ByteBuffer encoded, raw;
  for (const Fragment& f : *frags) {
    for (int i = 0; i < f.reader->num_row_groups(); i++, out_rg++) {
      const std::vector<parquet::ColumnChunk>& in_cols = f.reader->row_group_columns(i);
      for (size_t c = 0; c < in_cols.size(); c++) {
        const parquet::ColumnChunk& in = in_cols[c];
        if (!in.offset_index_offset) continue;
        FM_RETURN_IF_ERROR(f.reader->file().ReadAt(static_cast<uint64_t>(*in.offset_index_offset),
                                                   static_cast<uint64_t>(*in.offset_index_length),
                                                   &raw));
        auto decoded = parquet::DecodeOffsetIndex(raw);
        if (!decoded.ok()) {
          return decoded.status().WithContext("fragment " + Quoted(f.path) + ", " +
                                              f.reader->Where(i, static_cast<int>(c)));
        }
        parquet::OffsetIndex index = std::move(decoded).value();
        for (parquet::PageLocation& loc : index.page_locations) loc.offset += f.delta;
        encoded.clear();
        parquet::EncodeOffsetIndex(index, &encoded);
        parquet::ColumnChunk& out = md.row_groups[out_rg].columns[c];
        out.offset_index_offset = static_cast<int64_t>(file->size());
        out.offset_index_length = static_cast<int32_t>(encoded.size());
        FM_RETURN_IF_ERROR(file->Append(encoded));
      }
    }
    FM_RETURN_IF_ERROR(CheckInterrupt(interrupt));
  }
  ByteBuffer footer;
  parquet::EncodeFileMetaData(md, &footer);
  summary->footer_bytes = footer.size();
  uint8_t len[4];
  StoreLE<uint32_t>(len, static_cast<uint32_t>(footer.size()));
  footer.insert(footer.end(), len, len + 4);
  footer.insert(footer.end(), kMagic, kMagic + 4);
  FM_RETURN_IF_ERROR(file->Append(footer));
  if (o.test_hook) o.test_hook("concat-footer-written");
  summary->rows = md.num_rows;
  summary->row_groups = static_cast<int64_t>(md.row_groups.size());
  summary->columns = (*frags)[0].reader->num_columns();
  summary->output_bytes = file->size();
  return Status::OK();
}

}  // namespace

Result<ConcatSummary> ConcatFragments(const ConcatOptions& o, io::FileSystem* fs,
                                      const std::atomic<bool>* interrupt) {
  const auto start = std::chrono::steady_clock::now();
  if (fs == nullptr) fs = io::DefaultFileSystem();
  if (o.fragments.empty()) return Status::InvalidArgument("concat: no fragments given");
  if (o.output.empty())
    return Status::InvalidArgument("concat: no output path given (-o OUT.parquet)");
  std::vector<Fragment> frags(o.fragments.size());
  for (size_t i = 0; i < o.fragments.size(); i++) {
    if (o.fragments[i] == o.output) {
      return Status::InvalidArgument("concat: the output " + Quoted(o.output) +
                                     " is also given as a fragment");
    }
    frags[i].path = o.fragments[i];
    FM_RETURN_IF_ERROR(OpenFragment(fs, &frags[i]));
  }
  std::stable_sort(frags.begin(), frags.end(), [](const Fragment& a, const Fragment& b) {
    return a.info.spec.index < b.info.spec.index;
  });
  FM_RETURN_IF_ERROR(CheckBelongTogether(frags));

  ConcatSummary summary;
  summary.output = o.output;
  summary.fragments = static_cast<int>(frags.size());
  summary.fingerprint = frags[0].info.fingerprint;
  summary.columns = frags[0].reader->num_columns();
  summary.rows = frags[0].info.total_rows;
  summary.row_groups = frags[0].info.total_row_groups;
  // Up to date: OUT exists and its manifest records these fragments' plan (as merge decides).
  if (!o.force && fs->Exists(o.output) && !fs->Exists(PartialPath(o.output))) {
    uint64_t recorded = 0;
    auto fp = ReadManifestFingerprint(fs, ManifestPath(o.output), &recorded);
    auto info = fs->Stat(o.output);
    if (fp.ok() && *fp == summary.fingerprint && info.ok() && info->size == recorded) {
      summary.up_to_date = true;
      summary.output_bytes = info->size;
      return summary;
    }
  }

  FM_RETURN_IF_ERROR(fs->CreateDirs(io::DirName(o.output)));
  FM_ASSIGN_OR_RETURN(auto lock, io::FileLock::Acquire(LockPath(o.output)));
  const std::string partial = PartialPath(o.output);
  Status s;
  {
    FM_ASSIGN_OR_RETURN(auto file, fs->CreateForAppend(partial));
    s = WriteOutput(&frags, o, file.get(), interrupt, &summary);
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = file->Close();
  }
  if (s.ok() && o.test_hook) o.test_hook("concat-before-rename");
  if (s.ok()) s = fs->RenameDurable(partial, o.output);
  if (!s.ok()) {
    (void)fs->Remove(partial);
    return s.WithContext("concat into " + Quoted(o.output));
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  FM_RETURN_IF_ERROR(WriteManifest(fs, ManifestPath(o.output), ConcatManifest(frags, summary)));
  return summary;
}

}  // namespace featmerge::merge
