// A newcomer's first commands: counts read "1 epoch", not "1 epochs"; the
// test command lists every skipped test with its reason
// (tools/ctest_skips.awk); setup's build progress is a few lines, not one per
// file (tools/build_progress.awk); --device cuda without the CUDA module says
// how to build it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bitrec/plural.hpp"
#include "cli_runner.hpp"

namespace fs = std::filesystem;
using bitrec::plural;
using bitrec::testing::CliResult;
using bitrec::testing::run_bitrec;
using bitrec::testing::slurp;

namespace {

std::string temp_path(const std::string& name) { return bitrec::testing::cli_temp_path("bitrec_first_run", name); }

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Runs `awk <flags> -f tools/<script> <input>` and returns its stdout.
std::string run_awk(const std::string& script, const std::string& flags, const std::string& input_text,
                    const std::string& tag) {
  const std::string input = temp_path(tag + ".in");
  const std::string output = temp_path(tag + ".out");
  write(input, input_text);
  const std::string command = "awk " + flags + " -f " + std::string(BITREC_SOURCE_DIR) + "/tools/" + script + " " +
                              input + " >" + output;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return slurp(output);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Plural, OneIsSingularEverythingElsePlural) {
  EXPECT_EQ(plural(1, "epoch"), "1 epoch");
  EXPECT_EQ(plural(2, "epoch"), "2 epochs");
  EXPECT_EQ(plural(0, "user"), "0 users");
  EXPECT_EQ(plural(-1, "item"), "-1 items");
  EXPECT_EQ(plural(1, "batch", "batches"), "1 batch");
  EXPECT_EQ(plural(3, "batch", "batches"), "3 batches");
  EXPECT_EQ(plural(2, "distinct item code"), "2 distinct item codes");
  EXPECT_EQ(plural(5, "index", "indices"), "5 indices");
  EXPECT_EQ(plural(1, "index", "indices"), "1 index");
  EXPECT_EQ(plural(3000000000LL, "item"), "3000000000 items");
  EXPECT_EQ(bitrec::plural_noun(1, "run"), "run");
  EXPECT_EQ(bitrec::plural_noun(4, "run"), "runs");
}

// One test's block of ctest's LastTest.log, as ctest 3.25 writes it.
std::string log_block(int i, const std::string& name, const std::string& output, const std::string& verdict) {
  return std::to_string(i) + "/4 Testing: " + name + "\n" + std::to_string(i) + "/4 Test: " + name +
         "\nCommand: \"/b/bitrec_tests\" \"--gtest_filter=" + name + "\"\nDirectory: /b\n\"" + name +
         "\" start time: Dec 06 05:28 UTC\nOutput:\n----------------------------------------------------------\n" +
         "[ RUN      ] " + name + "\n" + output + "<end of output>\nTest time =   0.10 sec\n" +
         "----------------------------------------------------------\n" + verdict + "\n\"" + name +
         "\" end time: Dec 06 05:28 UTC\n\"" + name + "\" time elapsed: 00:00:00\n" +
         "----------------------------------------------------------\n\n";
}

TEST(TestCommand, ListsEverySkippedTestWithItsReason) {
  const std::string skipped = "Test Pass Reason:\nSkip regular expression found in output. Regex=[\\[  SKIPPED \\]]";
  const std::string log =
      "Start testing: Dec 06 05:28 UTC\n----------------------------------------------------------\n" +
      log_block(1, "Cli.Passes", "[       OK ] Cli.Passes (0 ms)\n", "Test Passed.") +
      log_block(2, "CudaParity.Topk",
                "/src/tests/cuda/t.cpp:69: Skipped\nno CUDA device: parity tests need a GPU\n"
                "[  SKIPPED ] CudaParity.Topk (0 ms)\n",
                skipped) +
      log_block(3, "Data/Public.Gowalla/0",
                "/src/tests/p.cpp:25: Skipped\n../data/gowalla not present;\nthe check needs it\n\n"
                "[  SKIPPED ] Data/Public.Gowalla/0 (0 ms)\n",
                skipped) +
      log_block(4, "Cli.Fails", "/src/t.cpp:5: Failure\n[  FAILED  ] Cli.Fails (0 ms)\n", "Test Failed.") +
      log_block(4, "Cli.SkipsSilently", "/src/t.cpp:9: Skipped\n\n[  SKIPPED ] Cli.SkipsSilently (0 ms)\n",
                skipped) +
      "End testing: Dec 06 05:28 UTC\n";
  const std::string out = run_awk("ctest_skips.awk", "", log, "skips");
  EXPECT_EQ(out,
            "skipped: CudaParity.Topk: no CUDA device: parity tests need a GPU\n"
            "skipped: Data/Public.Gowalla/0: ../data/gowalla not present; the check needs it\n"
            "skipped: Cli.SkipsSilently: (no reason given)\n"
            "test: 3 tests skipped (not passed; reasons above)\n");
  // A run without skips prints nothing.
  EXPECT_EQ(run_awk("ctest_skips.awk", "", log_block(1, "Cli.Passes", "[       OK ]\n", "Test Passed."), "noskip"),
            "");
}

TEST(SetupProgress, ALineEveryTenPercentAndCompilerMessagesPassThrough) {
  std::string ninja = "[0/2] Re-checking globbed directories...\n";
  for (int i = 1; i <= 86; ++i) {
    ninja += "[" + std::to_string(i) + "/86] Building CXX object CMakeFiles/bitrec_core.dir/f" + std::to_string(i) +
             ".cpp.o\n";
    if (i == 40) ninja += "/src/host/f40.cpp:12:3: warning: unused variable 'x'\n";
  }
  const std::string out = run_awk("build_progress.awk", "-v tty=0 -v what=bitrec", ninja, "progress");
  EXPECT_EQ(count(out, "setup: building bitrec"), 11u) << out;  // 1 % (the first step), 10 %, ..., 100 %
  EXPECT_EQ(count(out, "Building CXX object"), 0u) << out;
  EXPECT_NE(out.find("setup: building bitrec 100% (86/86 steps,"), std::string::npos) << out;
  EXPECT_NE(out.find(" 50% (43/86 steps,"), std::string::npos) << out;
  EXPECT_NE(out.find("/src/host/f40.cpp:12:3: warning: unused variable 'x'\n"), std::string::npos) << out;

  const std::string failed = run_awk("build_progress.awk", "-v tty=0 -v what=bitrec",
                                     "[1/3] Building x.o\nFAILED: y.o\ny.cpp:1:1: error: boom\nninja: build stopped\n",
                                     "failed");
  EXPECT_NE(failed.find("FAILED: y.o\ny.cpp:1:1: error: boom\nninja: build stopped\n"), std::string::npos) << failed;
  EXPECT_EQ(run_awk("build_progress.awk", "-v tty=0 -v what=bitrec", "ninja: no work to do.\n", "nowork"),
            "setup: bitrec up to date\n");
}

TEST(FirstRun, OneEpochIsOneEpoch) {
  const std::string out = temp_path("one_epoch");
  const CliResult r =
      run_bitrec("train --data synthetic:users=60,items=40,clusters=2,per_user=6 --threads 2 --epochs 1 --dim 16 "
                 "--out " + out,
                 "one_epoch");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(": 1 epoch, d=16"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find(", 1 epoch, "), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find("1 epochs"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("60 users, 40 items"), std::string::npos) << r.err;
  fs::remove_all(out);
}

// --device cuda with a bitrec whose CUDA module is not next to it (setup.sh
// builds it only where an NVIDIA driver is present): the error says how to
// build it, or that this bitrec has no CUDA backend at all.
TEST(FirstRun, DeviceCudaWithoutTheModuleSaysHowToBuildIt) {
  const std::string dir = temp_path("lone_binary");
  fs::create_directories(dir);
  const std::string binary = dir + "/bitrec";
  fs::copy_file(BITREC_BINARY, binary);
  fs::permissions(binary, fs::perms::owner_all);
  const std::string io = dir + "/io";
  const std::string command = "env -u BITREC_CUDA_MODULE " + binary +
                              " train --data synthetic:users=60,items=40,clusters=2,per_user=6 --epochs 1 "
                              "--device cuda --out " + dir + "/run >" + io + ".out 2>" + io + ".err";
  const int status = std::system(command.c_str());
  const std::string err = slurp(io + ".err");
  ASSERT_TRUE(WIFEXITED(status)) << err;
  EXPECT_EQ(WEXITSTATUS(status), 2) << err;
  const CliResult version = run_bitrec("--version", "version");
  if (version.out.find("cuda") != std::string::npos) {
    EXPECT_NE(err.find("the CUDA backend module was not built"), std::string::npos) << err;
    EXPECT_NE(err.find("--target bitrec_cuda_module"), std::string::npos) << err;
  } else {
    EXPECT_NE(err.find("built without the CUDA backend"), std::string::npos) << err;
  }
  EXPECT_NE(err.find("--device cpu"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir + "/run"));
  fs::remove_all(dir);
}

}  // namespace
