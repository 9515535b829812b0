// Run folders cannot eat anything else: --overwrite replaces only what bitrec
// wrote, --out is checked before any work, a second process on the same
// --out is refused, a folder that appeared meanwhile is never replaced, and
// no output of another command lands inside a run.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fault_util.hpp"

namespace bitrec {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::fault_dir;
using testing::folder_names;
using testing::run_bitrec;
using testing::shell;
using testing::slurp;
using testing::write_text;

const std::string kTiny = "--data synthetic:users=60,items=40,clusters=2,per_user=6 --epochs 1 --threads 1 ";

void expect_refused(const CliResult& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("bitrec: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

// Nothing of bitrec's is left beside the run: no staging folder, no lock.
void expect_no_leftovers(const std::string& parent) {
  for (const std::string& name : folder_names(parent)) {
    EXPECT_EQ(name.find(".partial"), std::string::npos) << "staging folder left: " << name;
    EXPECT_EQ(name.find(".lock"), std::string::npos) << "lock file left: " << name;
  }
}

TEST(RunFolderFaults, OverwriteNeverDeletesAFolderThatMerelyHoldsAReportJson) {
  const std::string base = fault_dir("foreign_report");
  const std::string d = base + "/d";
  fs::create_directories(d);
  write_text(d + "/report.json", "{}");
  write_text(d + "/data.csv", "x\n");
  const CliResult r = run_bitrec("train " + kTiny + "--out " + d + " --overwrite", "foreign_report");
  expect_refused(r, "data.csv");
  EXPECT_EQ(slurp(d + "/data.csv"), "x\n");
  EXPECT_EQ(slurp(d + "/report.json"), "{}");
  expect_no_leftovers(base);
  fs::remove_all(base);
}

TEST(RunFolderFaults, OverwriteOfARunKeepsTheUsersOwnFilesByRefusing) {
  const std::string base = fault_dir("user_files");
  const std::string d = base + "/run";
  ASSERT_EQ(run_bitrec("train " + kTiny + "--out " + d, "user_files_1").exit_code, 0);
  const std::string report = slurp(d + "/report.json");
  write_text(d + "/notes.txt", "mine");
  const CliResult r = run_bitrec("train " + kTiny + "--seed 7 --out " + d + " --overwrite", "user_files_2");
  expect_refused(r, "notes.txt");
  EXPECT_EQ(slurp(d + "/notes.txt"), "mine");
  EXPECT_EQ(slurp(d + "/report.json"), report);  // the run survives whole
  expect_no_leftovers(base);
  fs::remove_all(base);
}

TEST(RunFolderFaults, OverwriteReplacesBitrecsOwnRunAndLeavesNothingBehind) {
  const std::string base = fault_dir("own_run");
  const std::string d = base + "/run";
  ASSERT_EQ(run_bitrec("train " + kTiny + "--out " + d, "own_1").exit_code, 0);
  const std::string marker = slurp(d + "/.bitrec-run");
  EXPECT_NE(marker.find("file checkpoint.bin"), std::string::npos) << marker;
  const CliResult again = run_bitrec("train " + kTiny + "--out " + d, "own_2");
  expect_refused(again, "--overwrite");
  const CliResult r = run_bitrec("train " + kTiny + "--seed 7 --out " + d + " --overwrite", "own_3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(slurp(d + "/.bitrec-run"), marker);  // a new run id
  EXPECT_NE(slurp(d + "/report.json").find("\"seed\": \"7\""), std::string::npos);
  EXPECT_EQ(folder_names(base), std::vector<std::string>{"run"});
  fs::remove_all(base);
}

TEST(RunFolderFaults, OutWithATrailingSlashTrainsIntoTheFolder) {
  const std::string base = fault_dir("slash");
  const CliResult r = run_bitrec("train " + kTiny + "--out " + base + "/run/", "slash");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(base + "/run/checkpoint.bin"));
  EXPECT_EQ(folder_names(base), std::vector<std::string>{"run"});
  fs::remove_all(base);
}

TEST(RunFolderFaults, OutDotOrAParentOfTheWorkingFolderIsRefusedBeforeTraining) {
  const std::string base = fault_dir("dot");
  write_text(base + "/keep.txt", "k");
  for (const std::string out : {".", "..", "./"}) {
    const CliResult r = shell("cd " + base + " && $B train " + kTiny.substr(0, kTiny.size() - 1) + " --out " + out +
                                  " --overwrite",
                              "dot");
    expect_refused(r, "current folder");
    EXPECT_EQ(r.err.find("epoch 1/1"), std::string::npos) << "trained before refusing: " << r.err;
  }
  EXPECT_EQ(folder_names(base), std::vector<std::string>{"keep.txt"});
  fs::remove_all(base);
}

TEST(RunFolderFaults, SymbolicLinksAsOutAreRefusedBeforeTraining) {
  const std::string base = fault_dir("links");
  fs::create_symlink(base + "/nowhere", base + "/dangling");
  fs::create_directories(base + "/real");
  fs::create_directory_symlink(base + "/real", base + "/link");
  for (const std::string link : {"dangling", "link"}) {
    const CliResult r = run_bitrec("train " + kTiny + "--out " + base + "/" + link, "links");
    expect_refused(r, "symbolic link");
    EXPECT_EQ(r.err.find("epoch 1/1"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(fs::is_symlink(base + "/dangling"));
  EXPECT_TRUE(fs::is_empty(base + "/real"));
  fs::remove_all(base);
}

TEST(RunFolderFaults, OutputsOfEveryCommandAreRefusedInsideARunFolder) {
  const std::string base = fault_dir("inside");
  const std::string run = base + "/run";
  ASSERT_EQ(run_bitrec("train " + kTiny + "--out " + run, "inside_train").exit_code, 0);
  const auto before = folder_names(run);
  const std::string report = slurp(run + "/report.json");
  expect_refused(run_bitrec("train " + kTiny + "--out " + run + "/nested", "inside_nested"), "inside the bitrec folder");
  expect_refused(run_bitrec("eval --model " + run + " --dump-topk " + run + "/report.json", "inside_dump"),
                 "inside the bitrec folder");
  expect_refused(run_bitrec("export --model " + run + " --out " + run + "/export", "inside_export"),
                 "inside the bitrec folder");
  expect_refused(run_bitrec("export --model " + run + " --out " + run + " --overwrite", "inside_export_run"),
                 "training run");
  expect_refused(run_bitrec("bench --data synthetic:users=60,items=40 --epochs 0 --repeats 1 --json " + run +
                                "/checkpoint.bin",
                            "inside_bench"),
                 "inside the bitrec folder");
  expect_refused(run_bitrec("compare --data synthetic:users=60,items=40 --methods lightgcn --epochs 1 --out " + run +
                                "/cmp",
                            "inside_compare"),
                 "inside the bitrec folder");
  EXPECT_EQ(folder_names(run), before);
  EXPECT_EQ(slurp(run + "/report.json"), report);
  fs::remove_all(base);
}

TEST(RunFolderFaults, ExportOverwriteReplacesOnlyAnEarlierExport) {
  const std::string base = fault_dir("export");
  const std::string run = base + "/run", out = base + "/exp";
  ASSERT_EQ(run_bitrec("train " + kTiny + "--out " + run, "export_train").exit_code, 0);
  ASSERT_EQ(run_bitrec("export --model " + run + " --out " + out, "export_1").exit_code, 0);
  expect_refused(run_bitrec("export --model " + run + " --out " + out, "export_2"), "--overwrite");
  write_text(out + "/mine.txt", "m");
  expect_refused(run_bitrec("export --model " + run + " --out " + out + " --overwrite", "export_3"), "mine.txt");
  fs::remove(out + "/mine.txt");
  const CliResult r = run_bitrec("export --model " + run + " --out " + out + " --overwrite", "export_4");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out + "/export.json"));
  expect_no_leftovers(base);
  fs::remove_all(base);
}

TEST(RunFolderFaults, ResumeMessagesSayWhatIsWrong) {
  const std::string base = fault_dir("resume_msgs");
  expect_refused(run_bitrec("train --resume " + base + "/missing", "resume_missing"), "no run to continue there");
  const std::string run = base + "/run";
  ASSERT_EQ(run_bitrec("train " + kTiny.substr(0, kTiny.find("--epochs")) + "--epochs 2 --out " + run, "resume_two")
                .exit_code,
            0);
  const CliResult shorter = run_bitrec("train --resume " + run + " --epochs 1", "resume_shorter");
  expect_refused(shorter, "has already trained 2 epochs; give --epochs N > 2");
  expect_refused(run_bitrec("train --resume " + run, "resume_done"), "the run has finished (2 epochs)");
  fs::remove_all(base);
}

}  // namespace
}  // namespace bitrec
