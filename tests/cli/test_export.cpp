// bitrec export and bitrec query end to end: the files an export writes
// (.npy, items.faiss, id maps, topk.tsv) read back byte by byte, query against
// eval's dump, cold start, and the errors (docs/serving.md).
#include <gtest/gtest.h>


#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.hpp"
#include "json_reader.hpp"

namespace fs = std::filesystem;
using bitrec::testing::CliResult;
using bitrec::testing::run_bitrec;
using bitrec::testing::slurp;

namespace {

const char* kTinyData = "synthetic:users=120,items=90,clusters=3,per_user=8";

std::string temp_path(const std::string& name) { return bitrec::testing::cli_temp_path("bitrec_export", name); }

// A .npy (format 1.0) as numpy writes it: dtype, shape and the raw bytes.
struct Npy {
  std::string descr;
  std::vector<int64_t> shape;
  std::string data;
};

Npy read_npy(const std::string& path) {
  const std::string bytes = slurp(path);
  Npy npy;
  if (bytes.size() < 10 || bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) != 0) {
    ADD_FAILURE() << path << ": not a .npy 1.0 file";
    return npy;
  }
  const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  const std::string header = bytes.substr(10, header_len);
  EXPECT_EQ((10 + header_len) % 64, 0u) << path << ": header not padded to 64 bytes";
  const size_t d = header.find("'descr': '") + 10;
  npy.descr = header.substr(d, header.find('\'', d) - d);
  EXPECT_NE(header.find("'fortran_order': False"), std::string::npos);
  const size_t open = header.find('(') + 1;
  std::stringstream dims(header.substr(open, header.find(')') - open));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    if (dim.find_first_not_of(' ') != std::string::npos) npy.shape.push_back(std::stoll(dim));
  }
  npy.data = bytes.substr(10 + header_len);
  return npy;
}

template <class T>
T read_le(const std::string& bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));  // the test machines are little-endian
  return value;
}

// Rows of "user\trank\titem\tscore" output: the items of `user`, in rank order.
std::vector<std::string> items_of(const std::string& tsv, const std::string& user, std::vector<double>* scores = nullptr) {
  std::istringstream lines(tsv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "user\trank\titem\tscore");
  std::vector<std::string> items;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string u, rank, item, score;
    std::getline(fields, u, '\t');
    std::getline(fields, rank, '\t');
    std::getline(fields, item, '\t');
    std::getline(fields, score, '\t');
    if (u != user) continue;
    EXPECT_EQ(std::stoi(rank), static_cast<int>(items.size()) + 1) << line;
    items.push_back(item);
    if (scores) scores->push_back(std::stod(score));
  }
  return items;
}

// One tiny recall-hash run (64 bits) and its export with top-10 lists.
class ExportedRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_ = new std::string(temp_path("run"));
    export_ = new std::string(temp_path("export"));
    train_ = new CliResult(run_bitrec(std::string("train --data ") + kTinyData +
                                          " --epochs 3 --dim 64 --threads 2 --out " + *run_,
                                      "export_train"));
    export_result_ = new CliResult(
        run_bitrec("export --model " + *run_ + " --out " + *export_ + " --what codes,embeddings,topk -k 10 --threads 2",
                   "export_export"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*run_);
    fs::remove_all(*export_);
    delete run_;
    delete export_;
    delete train_;
    delete export_result_;
  }
  void SetUp() override {
    ASSERT_EQ(train_->exit_code, 0) << train_->err;
    ASSERT_EQ(export_result_->exit_code, 0) << export_result_->err;
  }
  static std::string file(const std::string& name) { return *export_ + "/" + name; }
  static std::string* run_;
  static std::string* export_;
  static CliResult* train_;
  static CliResult* export_result_;
};
std::string* ExportedRun::run_ = nullptr;
std::string* ExportedRun::export_ = nullptr;
CliResult* ExportedRun::train_ = nullptr;
CliResult* ExportedRun::export_result_ = nullptr;

TEST_F(ExportedRun, WritesEveryFileWithItsShapeAndDtype) {
  for (const char* name : {"codes_users.npy", "codes_items.npy", "emb_users.npy", "emb_items.npy", "items.faiss",
                           "users.tsv", "items.tsv", "topk.tsv", "excluded_pairs.npy", "export.json"}) {
    EXPECT_TRUE(fs::exists(file(name))) << name;
  }
  const Npy cu = read_npy(file("codes_users.npy")), ci = read_npy(file("codes_items.npy"));
  EXPECT_EQ(cu.descr, "|u1");
  EXPECT_EQ(cu.shape, (std::vector<int64_t>{120, 8}));
  EXPECT_EQ(ci.shape, (std::vector<int64_t>{90, 8}));
  EXPECT_EQ(cu.data.size(), 120u * 8);
  const Npy eu = read_npy(file("emb_users.npy")), ei = read_npy(file("emb_items.npy"));
  EXPECT_EQ(eu.descr, "<f4");
  EXPECT_EQ(eu.shape, (std::vector<int64_t>{120, 64}));
  EXPECT_EQ(ei.shape, (std::vector<int64_t>{90, 64}));
  EXPECT_EQ(ei.data.size(), 90u * 64 * 4);
  // Synthetic data has no id maps: the export writes the identity map.
  std::istringstream users(slurp(file("users.tsv")));
  std::string line;
  std::getline(users, line);
  EXPECT_EQ(line, "dense_id\texternal_id");
  std::getline(users, line);
  EXPECT_EQ(line, "0\t0");
  const bitrec::testing::FlatJson manifest(slurp(file("export.json")));
  EXPECT_EQ(manifest.text("format"), "bitrec-export");
  EXPECT_EQ(manifest.number("bits"), 64);
  EXPECT_EQ(manifest.number("topk.k"), 10);
  EXPECT_EQ(manifest.text("topk.mode"), "hamming");
}

TEST_F(ExportedRun, PackedBytesFollowTheContractBitOrder) {
  // docs/contract.md "Codes": bit k is bit k % 8 of byte k / 8 (the little-endian
  // bytes of the 64-bit words), 1 where E >= 0.
  for (const char* who : {"users", "items"}) {
    const Npy codes = read_npy(file(std::string("codes_") + who + ".npy"));
    const Npy emb = read_npy(file(std::string("emb_") + who + ".npy"));
    const int64_t rows = codes.shape[0];
    int64_t ones = 0;
    for (int64_t r = 0; r < rows; ++r) {
      for (int k = 0; k < 64; ++k) {
        const float e = read_le<float>(emb.data, (r * 64 + k) * 4);
        const int bit = (static_cast<uint8_t>(codes.data[r * 8 + k / 8]) >> (k % 8)) & 1;
        ASSERT_EQ(bit, e >= 0.0f ? 1 : 0) << who << " row " << r << " bit " << k;
        ones += bit;
      }
    }
    EXPECT_GT(ones, 0) << who;
    EXPECT_LT(ones, rows * 64) << who;
  }
}

TEST_F(ExportedRun, FaissFileParsesAsIndexBinaryFlat) {
  const std::string bytes = slurp(file("items.faiss"));
  const Npy items = read_npy(file("codes_items.npy"));
  ASSERT_EQ(bytes.size(), 4 + 4 + 4 + 8 + 1 + 4 + 8 + items.data.size());
  EXPECT_EQ(bytes.substr(0, 4), "IBxF");
  EXPECT_EQ(read_le<int32_t>(bytes, 4), 64);   // d
  EXPECT_EQ(read_le<int32_t>(bytes, 8), 8);    // code_size
  EXPECT_EQ(read_le<int64_t>(bytes, 12), 90);  // ntotal
  EXPECT_EQ(bytes[20], 1);                     // is_trained
  EXPECT_EQ(read_le<int32_t>(bytes, 21), 1);   // metric_type (METRIC_L2, as FAISS writes it)
  EXPECT_EQ(read_le<uint64_t>(bytes, 25), items.data.size());
  EXPECT_EQ(bytes.substr(33), items.data);
}

TEST_F(ExportedRun, QueryAndTopkFileEqualEvalDump) {
  const std::string dump = temp_path("dump.txt");
  const CliResult eval = run_bitrec("eval --model " + *run_ + " --mode hamming --topk 10 --threads 2 --dump-topk " + dump, "export_eval");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  std::istringstream lines(slurp(dump));
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  std::istringstream fields(line);
  std::string user, item;
  fields >> user;
  std::vector<std::string> expected;
  while (fields >> item) expected.push_back(item);
  ASSERT_EQ(expected.size(), 10u);

  const CliResult query = run_bitrec("query --model " + *run_ + " --user " + user + " -k 10 --mode hamming", "export_query");
  ASSERT_EQ(query.exit_code, 0) << query.err;
  std::vector<double> distances;
  EXPECT_EQ(items_of(query.out, user, &distances), expected) << query.out;
  EXPECT_TRUE(std::is_sorted(distances.begin(), distances.end()));
  EXPECT_EQ(items_of(slurp(file("topk.tsv")), user), expected);
  fs::remove(dump);
}

// eval --mode hier and query --mode hier share the re-rank (rerank.hpp):
// the same lists, with R (30) below the item count so the cut matters.
TEST_F(ExportedRun, QueryHierEqualsEvalHierDump) {
  const std::string dump = temp_path("hier_dump.txt");
  const CliResult eval = run_bitrec("eval --model " + *run_ + " --mode hier --topk 10 --rerank 30 --threads 2 --dump-topk " + dump,
                                    "export_eval_hier");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  std::istringstream lines(slurp(dump));
  std::string line;
  int users = 0;
  while (std::getline(lines, line) && users < 3) {
    std::istringstream fields(line);
    std::string user, item;
    fields >> user;
    std::vector<std::string> expected;
    while (fields >> item) expected.push_back(item);
    ASSERT_EQ(expected.size(), 10u);
    const CliResult query = run_bitrec("query --model " + *run_ + " --user " + user + " -k 10 --mode hier --rerank 30",
                                       "export_query_hier");
    ASSERT_EQ(query.exit_code, 0) << query.err;
    EXPECT_EQ(items_of(query.out, user), expected) << query.out;
    ++users;
  }
  EXPECT_EQ(users, 3);
  fs::remove(dump);
}

TEST_F(ExportedRun, QueryManyUsersRealHierAndJson) {
  const std::string users = temp_path("users.txt");
  std::ofstream(users) << "3\n\n7\r\n";
  const CliResult many = run_bitrec("query --model " + *run_ + " --users " + users + " -k 5", "export_many");
  ASSERT_EQ(many.exit_code, 0) << many.err;
  EXPECT_EQ(items_of(many.out, "3").size(), 5u);
  EXPECT_EQ(items_of(many.out, "7").size(), 5u);

  for (const char* mode : {"real", "hier"}) {
    const CliResult q = run_bitrec("query --model " + *run_ + " --user 3 -k 5 --mode " + mode, std::string("export_") + mode);
    ASSERT_EQ(q.exit_code, 0) << q.err;
    std::vector<double> scores;
    EXPECT_EQ(items_of(q.out, "3", &scores).size(), 5u) << mode;
    EXPECT_TRUE(std::is_sorted(scores.rbegin(), scores.rend())) << mode << ": inner products descend";
  }
  const CliResult json = run_bitrec("query --model " + *run_ + " --user 3 -k 5 --json", "export_json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const bitrec::testing::FlatJson j(json.out);
  EXPECT_EQ(j.text("mode"), "hamming");
  EXPECT_EQ(j.number("k"), 5);
  EXPECT_NE(json.out.find("\"user\": \"3\""), std::string::npos) << json.out;
  fs::remove(users);
}

TEST_F(ExportedRun, ColdStartExcludesTheGivenItems) {
  const CliResult q = run_bitrec("query --model " + *run_ + " --items 4,9,4,17 -k 8", "export_cold");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const std::vector<std::string> items = items_of(q.out, "new");
  ASSERT_EQ(items.size(), 8u) << q.out;
  for (const char* given : {"4", "9", "17"}) {
    EXPECT_EQ(std::count(items.begin(), items.end(), std::string(given)), 0) << given;
  }
  const CliResult bad = run_bitrec("query --model " + *run_ + " --items 4,nine", "export_cold_bad");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("unknown item id 'nine'"), std::string::npos) << bad.err;
}

TEST_F(ExportedRun, BadQueriesFailWithAMessage) {
  const CliResult unknown = run_bitrec("query --model " + *run_ + " --user 12345", "export_unknown");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("--user: unknown user id '12345'"), std::string::npos) << unknown.err;
  const CliResult missing = run_bitrec("query --model " + temp_path("nowhere") + " --user 1", "export_missing");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("no such folder"), std::string::npos) << missing.err;
  const CliResult mode = run_bitrec("query --model " + *run_ + " --user 1 --mode cosine", "export_mode");
  EXPECT_NE(mode.exit_code, 0);
  EXPECT_NE(mode.err.find("allowed: hamming, real, hier"), std::string::npos) << mode.err;
  const CliResult none = run_bitrec("query --model " + *run_, "export_none");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("exactly one of"), std::string::npos) << none.err;
}

TEST_F(ExportedRun, ExportRefusesToClobberAndReplacesOnlyWithOverwrite) {
  const CliResult again = run_bitrec("export --model " + *run_ + " --out " + *export_, "export_again");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("--overwrite"), std::string::npos) << again.err;
  EXPECT_TRUE(fs::exists(file("topk.tsv")));
  const CliResult into_run = run_bitrec("export --model " + *run_ + " --out " + *run_ + " --overwrite", "export_into_run");
  EXPECT_NE(into_run.exit_code, 0);
  EXPECT_TRUE(fs::exists(*run_ + "/checkpoint.bin"));
  const std::string other = temp_path("export2");
  const CliResult first = run_bitrec("export --model " + *run_ + " --out " + other + " --what embeddings", "export_other");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_FALSE(fs::exists(other + "/codes_users.npy"));
  const CliResult replaced =
      run_bitrec("export --model " + *run_ + " --out " + other + " --what codes --overwrite", "export_replace");
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_TRUE(fs::exists(other + "/codes_users.npy"));
  EXPECT_FALSE(fs::exists(other + "/emb_users.npy"));
  fs::remove_all(other);
}

TEST_F(ExportedRun, CheckScriptAgreesWithFaiss) {
  if (std::system("/usr/bin/python3 -c 'import numpy, faiss' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with numpy and faiss (Debian python3-faiss) not available";
  }
  const std::string command = "/usr/bin/python3 " BITREC_SOURCE_DIR "/tools/check_export.py " + *export_ + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe)) output += buf;
  const int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_NE(output.find("check_export: OK"), std::string::npos) << output;
  EXPECT_NE(output.find("matches FAISS"), std::string::npos) << output;
}

TEST(Export, BitsNotAMultipleOf8RefuseCodesAndWriteNothing) {
  const std::string run = temp_path("run12"), out = temp_path("export12");
  const CliResult train = run_bitrec(std::string("train --data ") + kTinyData +
                                         " --method hash-ste --epochs 1 --dim 12 --threads 2 --out " + run,
                                     "export_train12");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const CliResult codes = run_bitrec("export --model " + run + " --out " + out, "export_12");
  EXPECT_NE(codes.exit_code, 0);
  EXPECT_NE(codes.err.find("12 bits, not a multiple of 8"), std::string::npos) << codes.err;
  EXPECT_FALSE(fs::exists(out));
  const CliResult emb = run_bitrec("export --model " + run + " --out " + out + " --what embeddings", "export_12emb");
  EXPECT_EQ(emb.exit_code, 0) << emb.err;
  EXPECT_TRUE(fs::exists(out + "/emb_items.npy"));
  fs::remove_all(run);
  fs::remove_all(out);
}

TEST(Export, LightgcnExportsEmbeddingsOnlyAndSaysSo) {
  const std::string run = temp_path("lgcn"), out = temp_path("export_lgcn");
  const CliResult train = run_bitrec(std::string("train --data ") + kTinyData +
                                         " --method lightgcn --epochs 1 --dim 16 --threads 2 --out " + run,
                                     "export_train_lgcn");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const CliResult exp = run_bitrec("export --model " + run + " --out " + out + " --what codes,embeddings,topk -k 5", "export_lgcn");
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  EXPECT_NE(exp.err.find("has no codes"), std::string::npos) << exp.err;
  EXPECT_FALSE(fs::exists(out + "/codes_items.npy"));
  EXPECT_FALSE(fs::exists(out + "/items.faiss"));
  EXPECT_TRUE(fs::exists(out + "/emb_items.npy"));
  EXPECT_EQ(items_of(slurp(out + "/topk.tsv"), "0").size(), 5u);
  const CliResult hamming = run_bitrec("query --model " + run + " --user 0 --mode hamming", "export_lgcn_hamming");
  EXPECT_NE(hamming.exit_code, 0);
  EXPECT_NE(hamming.err.find("has no codes"), std::string::npos) << hamming.err;
  fs::remove_all(run);
  fs::remove_all(out);
}

TEST(Export, CsvDataQueriesByExternalIds) {
  const std::string csv = temp_path("ratings.csv"), run = temp_path("csvrun");
  {
    std::ofstream out(csv);
    out << "user,item\n";
    const char* names[] = {"ann", "bob", "cy", "dee", "eve", "fay"};
    for (int u = 0; u < 6; ++u) {
      for (int i = 0; i < 8; ++i) out << names[u] << ",song" << (u + i * 3) % 14 << "\n";
    }
  }
  const CliResult train = run_bitrec("train --data " + csv + " --epochs 1 --dim 16 --threads 2 --out " + run, "export_csv_train");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const CliResult q = run_bitrec("query --model " + run + " --user bob -k 3", "export_csv_query");
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const std::vector<std::string> items = items_of(q.out, "bob");
  ASSERT_FALSE(items.empty()) << q.out;
  for (const std::string& item : items) EXPECT_EQ(item.rfind("song", 0), 0u) << item;
  const CliResult unknown = run_bitrec("query --model " + run + " --user 1", "export_csv_unknown");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("ids as in users.tsv"), std::string::npos) << unknown.err;
  fs::remove_all(run);
  fs::remove(csv);
}

}  // namespace
