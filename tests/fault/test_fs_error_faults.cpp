// Filesystem errors name the path and the system's reason: a data folder
// without permission ("Permission denied", never a raw "filesystem error"
// nor a misleading "not found"), a full disk ("No space left on device",
// never a bare "write failed"). /dev/full stands in for the full disk: a
// file's ".tmp" staging name linked to it makes every write fail ENOSPC.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bitrec/checkpoint.hpp"
#include "bitrec/error.hpp"
#include "bitrec/npy.hpp"
#include "cli_runner.hpp"

namespace fs = std::filesystem;
using bitrec::testing::CliResult;
using bitrec::testing::run_bitrec;
using bitrec::testing::slurp;

namespace {

std::string temp_dir(const std::string& name) {
  const std::string dir = bitrec::testing::cli_temp_path("bitrec_fsfault", name);
  fs::create_directories(dir);
  return dir;
}

void write_lightgcn(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream train(dir / "train.txt"), test(dir / "test.txt");
  for (int u = 0; u < 20; ++u) {
    train << u << ' ' << u % 10 << ' ' << (u + 3) % 10 << '\n';
    test << u << ' ' << (u + 5) % 10 << '\n';
  }
}

// Root reads anything: permission faults are run as nobody (setpriv) when
// the tests run as root. Empty: cannot drop privileges here.
std::string unprivileged_prefix() {
  if (geteuid() != 0) return " ";
  if (std::system("setpriv --reuid=65534 --regid=65534 --clear-groups true >/dev/null 2>&1") != 0) return "";
  const std::string probe = "setpriv --reuid=65534 --regid=65534 --clear-groups " + std::string(BITREC_BINARY) +
                            " --help >/dev/null 2>&1";
  if (std::system(probe.c_str()) != 0) return "";  // the build folder is not readable by nobody
  return "--reuid=65534 --regid=65534 --clear-groups ";
}

CliResult run_unprivileged(const std::string& prefix, const std::string& args, const std::string& tag) {
  if (prefix == " ") return run_bitrec(args, tag);
  return bitrec::testing::run_bitrec_after("setpriv " + prefix, args, tag);
}

void expect_clear(const CliResult& r, const std::string& path, const std::string& reason) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("bitrec: error:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("filesystem error"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not found"), std::string::npos) << r.err;
}

TEST(FsErrorFaults, DataFolderWithoutPermissionNamesThePathAndTheReason) {
  const std::string prefix = unprivileged_prefix();
  if (prefix.empty()) GTEST_SKIP() << "running as root without setpriv (or a build folder nobody can read)";
  const std::string dir = temp_dir("perm");
  fs::permissions(dir, fs::perms::all);  // nobody may write the run there: only the data fail
  const std::string data = dir + "/data";
  write_lightgcn(data);
  fs::permissions(data, fs::perms::none);
  const std::string out = dir + "/run";

  expect_clear(run_unprivileged(prefix, "info --data " + data, "perm_info"), data + "/train.txt",
               "Permission denied");
  expect_clear(run_unprivileged(prefix, "train --data " + data + " --epochs 1 --threads 2 --out " + out, "perm_train"),
               data + "/train.txt", "Permission denied");
  EXPECT_FALSE(fs::exists(out));
  // A file inside it: "cannot access", not "not found".
  expect_clear(run_unprivileged(prefix, "info --data " + data + "/ratings.csv", "perm_csv"), data + "/ratings.csv",
               "Permission denied");

  // The folder readable, train.txt not.
  fs::permissions(data, fs::perms::owner_all | fs::perms::group_all | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(data + "/train.txt", fs::perms::none);
  expect_clear(run_unprivileged(prefix, "info --data " + data, "perm_file"), data + "/train.txt", "Permission denied");
  fs::permissions(data, fs::perms::owner_all);
  fs::remove_all(dir);
}

// A full disk while a checkpoint is saved: the reason, the staging file
// gone, the checkpoint already there untouched.
TEST(FsErrorFaults, CheckpointOnAFullDiskSaysNoSpaceAndKeepsTheOldOne) {
  const std::string dir = temp_dir("ckfull");
  const std::string path = dir + "/checkpoint.bin";
  bitrec::Checkpoint ck;
  ck.config.method = bitrec::Method::kLightGcn;
  ck.config.dim = 4;
  bitrec::resolve_config(ck.config);
  ck.state = bitrec::init_model(30, 40, 4, 0.1f, 1);
  bitrec::save_checkpoint(path, ck);
  const std::string before = slurp(path);
  fs::create_symlink("/dev/full", path + ".tmp");
  ck.state.epochs_done = 5;
  try {
    bitrec::save_checkpoint(path, ck);
    ADD_FAILURE() << "saved onto /dev/full";
  } catch (const bitrec::InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path + ".tmp"), std::string::npos) << message;
    EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(fs::symlink_status(path + ".tmp")));
  EXPECT_EQ(slurp(path), before);
  fs::remove_all(dir);
}

TEST(FsErrorFaults, NpyOnAFullDiskSaysNoSpace) {
  const std::string dir = temp_dir("npyfull");
  const std::string path = dir + "/codes.npy";
  fs::create_symlink("/dev/full", path + ".tmp");
  const std::vector<uint8_t> bytes(1 << 16, 7);
  try {
    bitrec::write_npy(path, "|u1", {1 << 8, 1 << 8}, bytes.data(), bytes.size());
    ADD_FAILURE() << "wrote onto /dev/full";
  } catch (const bitrec::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(path));
  fs::remove_all(dir);
}

TEST(FsErrorFaults, EvalDumpOnAFullDiskSaysNoSpace) {
  const std::string dir = temp_dir("dumpfull");
  const std::string run = dir + "/run";
  const CliResult train = run_bitrec("train --data synthetic:users=60,items=40,per_user=8 --method hash-ste --dim 8 "
                                     "--epochs 1 --eval-every 1 --topk 5 --threads 2 --out " + run,
                                     "fsfault_train");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const std::string dump = dir + "/top.txt";
  fs::create_symlink("/dev/full", dump + ".tmp");
  const CliResult r = run_bitrec("eval --model " + run + " --threads 2 --dump-topk " + dump, "fsfault_dump");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("bitrec: error:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("--dump-topk " + dump), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dump));
  fs::remove_all(dir);
}

}  // namespace
