#include "pipeline/config.h"

// toml++ is installed as a shared library built with exceptions, and our code throws nothing.
// This file, the only one including toml++, therefore compiles it header-only with
// TOML_EXCEPTIONS=0, so parse errors come back as a toml::parse_result. toml++'s ABI namespaces
// ("ex" / "noex") keep these inline definitions apart from the library's.
#undef TOML_HEADER_ONLY
#undef TOML_SHARED_LIB
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <algorithm>
#include <functional>

#include "base/units.h"
#include "io/file.h"

namespace featmerge::pipeline {
namespace {

constexpr std::string_view kPairToken = "{pair}";

std::string Describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string (\"" + node.as_string()->get() + "\")";
    case toml::node_type::integer:
      return "an integer (" + std::to_string(node.as_integer()->get()) + ")";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "a boolean (true)" : "a boolean (false)";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for a near miss, then the known names.
std::string KnownNames(std::string_view unknown, const std::vector<std::string>& known) {
  std::string out;
  size_t best = 3;
  for (const std::string& name : known) {
    const size_t d = EditDistance(unknown, name);
    if (d < best) {
      best = d;
      out = "; did you mean '" + name + "'?";
    }
  }
  std::string list;
  for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
  return out + " (known: " + list + ")";
}

std::string ResolvePath(const std::string& config_path, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const std::string dir = io::DirName(config_path);
  return dir == "." ? path : io::JoinPath(dir, path);
}

bool ValidPairName(const std::string& pair) {
  if (pair.empty() || pair == "." || pair == "..") return false;
  return std::all_of(pair.begin(), pair.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// Typed access to TOML values; every error is "<file>:<line>: <section>.<key> ...".
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  Status Error(const toml::source_region& where, const std::string& message) const {
    return Status::InvalidArgument(path_ + ":" + std::to_string(where.begin.line) + ": " + message);
  }
  Status Error(const toml::node& node, const std::string& message) const {
    return Error(node.source(), message);
  }

  Result<std::string> String(const toml::node& node, const std::string& name) const {
    if (const auto* value = node.as_string()) return value->get();
    return Error(node, name + " must be a string, not " + Describe(node));
  }
  Result<std::string> NonEmptyString(const toml::node& node, const std::string& name) const {
    FM_ASSIGN_OR_RETURN(std::string text, String(node, name));
    if (text.empty()) return Error(node, name + " must not be empty");
    return text;
  }
  Result<int64_t> Integer(const toml::node& node, const std::string& name, int64_t min,
                          int64_t max) const {
    const auto* value = node.as_integer();
    if (value == nullptr) return Error(node, name + " must be an integer, not " + Describe(node));
    const int64_t v = value->get();
    if (v < min || v > max) {
      return Error(node, name + " must be between " + std::to_string(min) + " and " +
                             std::to_string(max) + ", not " + std::to_string(v));
    }
    return v;
  }
  // A positive size: an integer of bytes or a string such as "4GiB".
  Result<uint64_t> Size(const toml::node& node, const std::string& name) const {
    if (const auto* bytes = node.as_integer()) {
      if (bytes->get() <= 0) return Error(node, name + " must be positive");
      return static_cast<uint64_t>(bytes->get());
    }
    FM_ASSIGN_OR_RETURN(std::string text, String(node, name));
    auto size = ParseSize(text);
    if (!size.ok()) return Error(node, name + ": " + size.status().message());
    if (*size == 0) return Error(node, name + " must be positive");
    return *size;
  }
  Result<bool> Bool(const toml::node& node, const std::string& name) const {
    if (const auto* value = node.as_boolean()) return value->get();
    return Error(node, name + " must be true or false, not " + Describe(node));
  }
  // An array of strings; a single string is taken as a one-element list.
  Result<std::vector<std::string>> StringList(const toml::node& node,
                                              const std::string& name) const {
    if (const auto* value = node.as_string()) return std::vector<std::string>{value->get()};
    const auto* array = node.as_array();
    if (array == nullptr) {
      return Error(node, name + " must be an array of strings, not " + Describe(node));
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < array->size(); i++) {
      const toml::node& element = *array->get(i);
      const auto* text = element.as_string();
      if (text == nullptr) {
        return Error(element, name + "[" + std::to_string(i) + "] must be a string, not " +
                                  Describe(element));
      }
      out.push_back(text->get());
    }
    return out;
  }
  Result<std::string> Choice(const toml::node& node, const std::string& name,
                             const std::vector<std::string>& choices) const {
    FM_ASSIGN_OR_RETURN(std::string text, String(node, name));
    if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
    std::string list;
    for (size_t i = 0; i < choices.size(); i++) {
      list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    }
    return Error(node, name + " must be " + list + ", not \"" + text + "\"");
  }

  using Handler = std::function<Status(const toml::node&)>;
  struct Key {
    std::string name;
    Handler handle;
  };
  // Runs the handler of every key of [section]; an unknown key is an error at its line.
  Status Section(const toml::table& table, const std::string& section,
                 const std::vector<Key>& keys) const {
    std::vector<std::string> known;
    for (const Key& k : keys) known.push_back(k.name);
    for (auto&& [key, node] : table) {
      const std::string name(key.str());
      auto it =
          std::find_if(keys.begin(), keys.end(), [&](const Key& k) { return k.name == name; });
      if (it == keys.end()) {
        return Error(key.source(),
                     "unknown key '" + name + "' in [" + section + "]" + KnownNames(name, known));
      }
      FM_RETURN_IF_ERROR(it->handle(node));
    }
    return Status::OK();
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Result<parquet::Compression> CompressionFromName(const std::string& name) {
  using parquet::Compression;
  if (name == "zstd") return Compression::kZstd;
  if (name == "snappy") return Compression::kSnappy;
  if (name == "lz4" || name == "lz4_raw") return Compression::kLz4Raw;
  if (name == "gzip") return Compression::kGzip;
  if (name == "brotli") return Compression::kBrotli;
  if (name == "none" || name == "uncompressed") return Compression::kUncompressed;
  return Status::InvalidArgument(name);
}

bool CompressionLevelValid(parquet::Compression codec, int64_t level) {
  switch (codec) {
    case parquet::Compression::kZstd:
      return level >= 1 && level <= 22;
    case parquet::Compression::kGzip:
      return level >= 1 && level <= 9;
    case parquet::Compression::kBrotli:
      return level >= 0 && level <= 11;
    default:
      return level >= -1000 && level <= 1000;
  }
}

Status ReadPaths(const Reader& r, const toml::table& t, RunConfig* c) {
  return r.Section(
      t, "paths",
      {
          {"input",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(c->input_pattern, r.NonEmptyString(n, "paths.input"));
             if (c->input_pattern.find(kPairToken) == std::string::npos) {
               return r.Error(n, "paths.input must contain {pair} (each pair has its own inputs)");
             }
             c->input_pattern = ResolvePath(r.path(), c->input_pattern);
             return Status::OK();
           }},
          {"output",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(c->output_pattern, r.NonEmptyString(n, "paths.output"));
             if (c->output_pattern.find(kPairToken) == std::string::npos) {
               return r.Error(n,
                              "paths.output must contain {pair} (each pair writes its own file)");
             }
             c->output_pattern = ResolvePath(r.path(), c->output_pattern);
             return Status::OK();
           }},
      });
}

Status ReadMerge(const Reader& r, const toml::table& t, RunConfig* c) {
  merge::MergeOptions* o = &c->merge;
  const toml::node* level_node = nullptr;
  bool compression_set = false;
  FM_RETURN_IF_ERROR(r.Section(
      t, "merge",
      {
          {"key",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->key, r.NonEmptyString(n, "merge.key"));
             return Status::OK();
           }},
          {"spine",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->spine, r.NonEmptyString(n, "merge.spine"));
             return Status::OK();
           }},
          {"tables",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->table_globs, r.StringList(n, "merge.tables"));
             return Status::OK();
           }},
          {"manifest",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(std::string path, r.NonEmptyString(n, "merge.manifest"));
             o->manifest_file = ResolvePath(r.path(), path);
             return Status::OK();
           }},
          {"expect_tables",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->expect_tables,
                                 r.Integer(n, "merge.expect_tables", 0, 10'000'000));
             return Status::OK();
           }},
          {"require_marker",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->require_marker, r.String(n, "merge.require_marker"));
             return Status::OK();
           }},
          {"memory_budget",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->memory_budget, r.Size(n, "merge.memory_budget"));
             c->memory_budget_set = true;
             return Status::OK();
           }},
          {"row_group_size",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->row_group_bytes, r.Size(n, "merge.row_group_size"));
             return Status::OK();
           }},
          {"threads",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(int64_t threads, r.Integer(n, "merge.threads", 1, 1024));
             o->threads = static_cast<int>(threads);
             return Status::OK();
           }},
          {"row_group_rows",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->row_group_rows,
                                 r.Integer(n, "merge.row_group_rows", 1, int64_t{1} << 40));
             return Status::OK();
           }},
          {"compression",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(std::string name, r.String(n, "merge.compression"));
             auto codec = CompressionFromName(name);
             if (!codec.ok()) {
               return r.Error(
                   n, "merge.compression must be zstd, snappy, lz4, gzip, brotli or none, not \"" +
                          name + "\"");
             }
             o->compression = *codec;
             compression_set = true;
             return Status::OK();
           }},
          {"compression_level",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(int64_t level,
                                 r.Integer(n, "merge.compression_level", -1000, 1000));
             o->compression_level = static_cast<int>(level);
             level_node = &n;
             return Status::OK();
           }},
          {"on_duplicate_key",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(std::string v,
                                 r.Choice(n, "merge.on_duplicate_key", {"error", "first", "last"}));
             o->on_duplicate_key = v == "first"  ? merge::DuplicatePolicy::kFirst
                                   : v == "last" ? merge::DuplicatePolicy::kLast
                                                 : merge::DuplicatePolicy::kError;
             return Status::OK();
           }},
          {"on_name_clash",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(std::string v,
                                 r.Choice(n, "merge.on_name_clash", {"error", "prefix"}));
             o->on_name_clash =
                 v == "prefix" ? merge::ClashPolicy::kPrefix : merge::ClashPolicy::kError;
             return Status::OK();
           }},
          {"split_rows",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->split_rows,
                                 r.Integer(n, "merge.split_rows", 0, int64_t{1} << 40));
             return Status::OK();
           }},
          {"split_by",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(std::string by, r.String(n, "merge.split_by"));
             if (by == "day") o->split_by = merge::SplitBy::kDay;
             else if (by == "month") o->split_by = merge::SplitBy::kMonth;
             else if (by == "none" || by.empty()) o->split_by = merge::SplitBy::kNone;
             else return r.Error(n, "merge.split_by must be \"day\", \"month\" or \"none\"");
             return Status::OK();
           }},
          {"split_columns",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(int64_t columns,
                                 r.Integer(n, "merge.split_columns", 0, int64_t{1} << 31));
             if (columns == 1)
               return r.Error(n, "merge.split_columns must be 0 (off) or at least 2");
             o->split_columns = columns;
             return Status::OK();
           }},
          {"crc",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->write_crc, r.Bool(n, "merge.crc"));
             return Status::OK();
           }},
          {"statistics",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(std::string name, r.String(n, "merge.statistics"));
             auto scope = merge::ParseStatisticsScope(name);
             if (!scope.ok()) return r.Error(n, "merge.statistics: " + scope.status().message());
             o->statistics = *scope;
             return Status::OK();
           }},
          {"page_index",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->page_index, r.Bool(n, "merge.page_index"));
             return Status::OK();
           }},
          {"reencode",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(bool reencode, r.Bool(n, "merge.reencode"));
             o->copy_chunks = !reencode;
             return Status::OK();
           }},
          {"exclude_tables",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->exclude_table_globs, r.StringList(n, "merge.exclude_tables"));
             return Status::OK();
           }},
          {"columns",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->column_globs, r.StringList(n, "merge.columns"));
             return Status::OK();
           }},
          {"exclude_columns",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->exclude_column_globs,
                                 r.StringList(n, "merge.exclude_columns"));
             return Status::OK();
           }},
          {"from",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->from, r.NonEmptyString(n, "merge.from"));
             return Status::OK();
           }},
          {"to",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(o->to, r.NonEmptyString(n, "merge.to"));
             return Status::OK();
           }},
      }));
  // As on the command line: a codec without a level gets that codec's default level.
  if (compression_set && level_node == nullptr) {
    o->compression_level = o->compression == parquet::Compression::kZstd ? 1 : 0;
  }
  if (level_node != nullptr && !CompressionLevelValid(o->compression, o->compression_level)) {
    return r.Error(*level_node, "merge.compression_level " + std::to_string(o->compression_level) +
                                    " is out of range for " +
                                    parquet::CompressionName(o->compression));
  }
  return Status::OK();
}

Status ReadRun(const Reader& r, const toml::table& t, RunConfig* c) {
  return r.Section(t, "run",
                   {
                       {"jobs",
                        [&](const toml::node& n) -> Status {
                          FM_ASSIGN_OR_RETURN(int64_t jobs, r.Integer(n, "run.jobs", 1, 256));
                          c->jobs = static_cast<int>(jobs);
                          return Status::OK();
                        }},
                       {"fail_fast",
                        [&](const toml::node& n) -> Status {
                          FM_ASSIGN_OR_RETURN(c->fail_fast, r.Bool(n, "run.fail_fast"));
                          return Status::OK();
                        }},
                       {"check",
                        [&](const toml::node& n) -> Status {
                          FM_ASSIGN_OR_RETURN(c->check, r.Bool(n, "run.check"));
                          return Status::OK();
                        }},
                       {"schema",
                        [&](const toml::node& n) -> Status {
                          FM_ASSIGN_OR_RETURN(std::string path, r.NonEmptyString(n, "run.schema"));
                          c->schema = ResolvePath(r.path(), path);
                          return Status::OK();
                        }},
                   });
}

Status ReadSlurm(const Reader& r, const toml::table& t, RunConfig* c) {
  SlurmSettings* s = &c->slurm;
  auto text = [&](const char* key, std::string* out) {
    return Reader::Key{key, [&r, key, out](const toml::node& n) -> Status {
                         FM_ASSIGN_OR_RETURN(*out,
                                             r.NonEmptyString(n, std::string("slurm.") + key));
                         return Status::OK();
                       }};
  };
  return r.Section(
      t, "slurm",
      {
          text("partition", &s->partition),
          text("account", &s->account),
          text("time", &s->time),
          {"sbatch_args",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(s->sbatch_args, r.StringList(n, "slurm.sbatch_args"));
             return Status::OK();
           }},
          {"shards",
           [&](const toml::node& n) -> Status {
             // An integer for every pair, or a table {pair = N, ...}.
             if (const toml::table* per_pair = n.as_table()) {
               for (auto&& [key, value] : *per_pair) {
                 const std::string pair(key.str());
                 FM_ASSIGN_OR_RETURN(int64_t shards,
                                     r.Integer(value, "slurm.shards." + pair, 1, 10000));
                 s->pair_shards[pair] = static_cast<int>(shards);
               }
               return Status::OK();
             }
             if (n.as_integer() == nullptr) {
               return r.Error(n, "slurm.shards must be an integer or a table {pair = N}, not " +
                                     Describe(n));
             }
             FM_ASSIGN_OR_RETURN(int64_t shards, r.Integer(n, "slurm.shards", 1, 10000));
             s->shards = static_cast<int>(shards);
             return Status::OK();
           }},
      });
}

// [[tables]]: join settings per group of tables, in order (per setting, the first section whose
// `match` matches a table and that sets it wins; see merge::JoinRule).
Status ReadTableRules(const Reader& r, const toml::node& node, RunConfig* c) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return r.Error(node, "'tables' must be an array of sections ([[tables]]), not " +
                             Describe(node));
  }
  for (size_t i = 0; i < array->size(); i++) {
    const toml::table& t = *array->get(i)->as_table();
    merge::JoinRule rule;
    bool has_match = false;
    FM_RETURN_IF_ERROR(r.Section(
        t, "[tables]",
        {
            {"match",
             [&](const toml::node& n) -> Status {
               FM_ASSIGN_OR_RETURN(rule.match, r.NonEmptyString(n, "tables.match"));
               has_match = true;
               return Status::OK();
             }},
            {"join",
             [&](const toml::node& n) -> Status {
               FM_ASSIGN_OR_RETURN(std::string v, r.Choice(n, "tables.join", {"exact", "asof"}));
               rule.asof = v == "asof";
               return Status::OK();
             }},
            {"tolerance",
             [&](const toml::node& n) -> Status {
               // Checked against the key's type when a merge plans (a duration or an integer).
               if (const auto* number = n.as_integer()) {
                 if (number->get() < 0) return r.Error(n, "tables.tolerance must not be negative");
                 rule.tolerance = std::to_string(number->get());
                 return Status::OK();
               }
               FM_ASSIGN_OR_RETURN(std::string text, r.NonEmptyString(n, "tables.tolerance"));
               if (text.find_first_not_of("0123456789") != std::string::npos) {
                 auto nanos = ParseDuration(text);
                 if (!nanos.ok()) return r.Error(n, "tables.tolerance: " + nanos.status().message());
               }
               rule.tolerance = text;
               return Status::OK();
             }},
            {"allow_exact_matches",
             [&](const toml::node& n) -> Status {
               FM_ASSIGN_OR_RETURN(bool allow, r.Bool(n, "tables.allow_exact_matches"));
               rule.allow_exact_matches = allow;
               return Status::OK();
             }},
        }));
    if (!has_match) {
      return r.Error(t.source(), "a [[tables]] section needs match (a glob such as \"corr_*\", "
                                 "or \"*\" for every table)");
    }
    c->merge.join_rules.push_back(std::move(rule));
  }
  return Status::OK();
}

Status ReadPairs(const Reader& r, const toml::table& t, RunConfig* c) {
  return r.Section(
      t, "pairs",
      {
          {"list",
           [&](const toml::node& n) -> Status {
             FM_ASSIGN_OR_RETURN(c->pairs, r.StringList(n, "pairs.list"));
             if (c->pairs.empty()) return r.Error(n, "pairs.list is empty");
             const toml::array* array = n.as_array();
             for (size_t i = 0; i < c->pairs.size(); i++) {
               const toml::node& where = array != nullptr ? *array->get(i) : n;
               if (!ValidPairName(c->pairs[i])) {
                 return r.Error(where,
                                "pairs.list: \"" + c->pairs[i] +
                                    "\" is not a valid pair name (letters, digits, _ - . only)");
               }
               if (std::find(c->pairs.begin(), c->pairs.begin() + static_cast<std::ptrdiff_t>(i),
                             c->pairs[i]) != c->pairs.begin() + static_cast<std::ptrdiff_t>(i)) {
                 return r.Error(where, "pairs.list: \"" + c->pairs[i] + "\" is listed twice");
               }
             }
             return Status::OK();
           }},
      });
}

}  // namespace

Result<RunConfig> ParseRunConfig(std::string_view text, const std::string& path) {
  toml::parse_result parsed = toml::parse(text, path);
  const Reader r(path);
  if (!parsed) {
    const toml::parse_error& e = parsed.error();
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ":" +
                                   std::to_string(e.source().begin.column) +
                                   ": TOML syntax error: " + std::string(e.description()));
  }
  const toml::table& root = parsed.table();
  RunConfig config;
  config.config_path = path;
  using SectionReader = Status (*)(const Reader&, const toml::table&, RunConfig*);
  const std::vector<std::pair<std::string, SectionReader>> sections = {
      {"paths", ReadPaths}, {"merge", ReadMerge}, {"run", ReadRun}, {"pairs", ReadPairs},
      {"slurm", ReadSlurm}};
  std::vector<std::string> known;
  for (const auto& s : sections) known.push_back("[" + s.first + "]");
  known.push_back("[[tables]]");
  for (auto&& [key, node] : root) {
    const std::string name(key.str());
    if (name == "tables") {
      FM_RETURN_IF_ERROR(ReadTableRules(r, node, &config));
      continue;
    }
    auto it = std::find_if(sections.begin(), sections.end(),
                           [&](const auto& s) { return s.first == name; });
    if (it == sections.end()) {
      return r.Error(key.source(),
                     "unknown section or key '" + name + "'" + KnownNames("[" + name + "]", known));
    }
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      return r.Error(key.source(),
                     "'" + name + "' must be a section ([" + name + "]), not " + Describe(node));
    }
    FM_RETURN_IF_ERROR(it->second(r, *table, &config));
  }
  if (config.input_pattern.empty() || config.output_pattern.empty()) {
    return Status::InvalidArgument(
        path + ": [paths] needs input and output, e.g. input = \"features/{pair}\" and " +
        "output = \"training/training_{pair}.parquet\"");
  }
  if (config.pairs.empty()) {
    return Status::InvalidArgument(path +
                                   ": [pairs] needs list, e.g. list = [\"eurusd\", \"gbpusd\"]");
  }
  for (const auto& [pair, shards] : config.slurm.pair_shards) {
    if (std::find(config.pairs.begin(), config.pairs.end(), pair) == config.pairs.end()) {
      return Status::InvalidArgument(path + ": slurm.shards names '" + pair +
                                     "', which is not in [pairs] list");
    }
  }
  return config;
}

Result<RunConfig> LoadRunConfig(const std::string& path) {
  io::FileSystem* fs = io::DefaultFileSystem();
  auto info = fs->Stat(path);
  if (!info.ok()) return Status::InvalidArgument(path + ": config file not found");
  if (info->is_directory)
    return Status::InvalidArgument(path + ": is a directory, not a config file");
  auto text = io::ReadWholeFile(fs, path, 16ull << 20);
  if (!text.ok()) {
    return Status::InvalidArgument(path +
                                   ": cannot read the config file: " + text.status().message());
  }
  return ParseRunConfig(*text, path);
}

std::string ExpandPair(const std::string& pattern, const std::string& pair) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t at = pattern.find(kPairToken, pos);
    if (at == std::string::npos) break;
    out.append(pattern, pos, at - pos);
    out += pair;
    pos = at + kPairToken.size();
  }
  out.append(pattern, pos, std::string::npos);
  return out;
}

std::string RunDirectory(const RunConfig& config) {
  std::string dir = io::DirName(config.output_pattern);
  while (dir.find(kPairToken) != std::string::npos) dir = io::DirName(dir);
  return dir;
}

const std::vector<std::string>& ReferencePairs() {
  static const std::vector<std::string> kPairs = {
      "eurusd", "gbpusd", "usdjpy", "usdchf", "audusd", "usdcad", "nzdusd",  // majors
      "eurgbp", "eurjpy", "eurchf", "euraud", "eurcad", "eurnzd",            // crosses
      "gbpjpy", "gbpchf", "gbpaud", "gbpcad", "gbpnzd", "audjpy", "audchf", "audcad",
      "audnzd", "cadjpy", "cadchf", "nzdjpy", "nzdchf", "nzdcad", "chfjpy"};
  return kPairs;
}

std::string ExampleConfig() {
  // One line for the majors, then one per base currency of the crosses.
  std::string pairs;
  std::string line_base;
  const std::vector<std::string>& list = ReferencePairs();
  for (size_t i = 0; i < list.size(); i++) {
    const std::string base = i < 7 ? "majors" : list[i].substr(0, 3);
    if (base != line_base) pairs += "\n ";
    line_base = base;
    pairs += " \"" + list[i] + "\",";
  }
  return R"(# featmerge run configuration: one wide training file per pair.
#   featmerge run pipeline.toml [--only eurusd,gbpusd] [--jobs N] [--memory-budget SIZE]
# Every [merge] option can be overridden on the command line (--compression snappy, ...).
# Relative paths are relative to this file's directory; {pair} is replaced by each pair.

[paths]
input  = "data/features/checkpoints/{pair}"       # a pair's spine + feature tables
output = "data/training/training_{pair}.parquet"  # run-report.json and logs/ go beside it

[merge]
key = "interval_time"          # join key, in the spine and in every table
spine = "targets.parquet"      # the rows of the output, in the input directory
expect_tables = 667            # refuse a pair unless exactly this many tables are found
require_marker = "_COMPLETE"   # refuse a pair whose extraction has not finished
memory_budget = "4GiB"         # for the whole run, shared by the concurrent merges
compression = "zstd"           # zstd, snappy, lz4, gzip, brotli or none
# compression_level = 1        # zstd 1-22, gzip 1-9, brotli 0-11
on_duplicate_key = "error"     # error, first or last
on_name_clash = "error"        # error or prefix (<table>__<column>)
# tables = ["bqx_*", "ret_*"]  # only tables matching these globs (default: all)
# manifest = "tables.txt"      # the expected table names, one per line
# threads = 8                  # per merge (default: cores / jobs)
# row_group_size = "1GiB"      # decoded size of an output row group (all columns)
# row_group_rows = 65536       # default: from row_group_size, capped by the budget
# split_columns = 0            # > 0: several files of at most N columns, each with the key
# split_rows = 0               # > 0: output is a directory of part files of N spine rows
# split_by = "month"           # or "day": a directory of part files, one per period
# crc = true                   # page CRCs
# page_index = true            # column and offset indexes
# reencode = false             # true: decode and re-encode chunks that could be copied as stored
# exclude_tables = ["tmp_*"]    # leave these tables out
# columns = ["target_*", "bqx_*"]  # only these output columns (the key always stays)
# exclude_columns = ["*_raw"]  # leave these output columns out
# from = "2024-01-01"          # only spine rows with from <= key < to (ISO-8601 UTC)
# to = "2024-07-01"

# [[tables]]                   # join settings per group of tables (docs/joins.md); per
# match = "corr_*"             #   setting, the first section whose glob matches wins
# join = "asof"                # exact (default), or asof: the latest row at or before the key
# tolerance = "2h"             # as-of matches older than this give NULL
# allow_exact_matches = false  # false: strictly before the spine's key
# statistics = "key"           # min/max statistics for: key | all | none

[run]
jobs = 1                       # concurrent merges; each gets memory_budget / jobs
fail_fast = false              # true: stop everything at the first failed pair
check = true                   # `featmerge check` every output after writing it
# schema = "reference.parquet" # every output must have this schema (Parquet or JSON)

# [slurm]                      # `featmerge run pipeline.toml --slurm [--submit]` (docs/slurm.md)
# partition = "batch"          # default: the cluster's default partition
# time = "12:00:00"            # time limit of each task
# shards = 1                   # machines per pair; or per pair: shards = { eurusd = 4 }
# sbatch_args = ["--qos=normal"]

[pairs]
list = [)" +
         pairs + R"(
]
)";
}

}  // namespace featmerge::pipeline
