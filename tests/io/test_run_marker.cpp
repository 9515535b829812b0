// The run folder mark: what counts as bitrec's own, and that removing a
// marked folder deletes only the files its mark lists.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bitrec/error.hpp"
#include "bitrec/output_path.hpp"
#include "bitrec/run_directory.hpp"
#include "bitrec/run_marker.hpp"
#include "cli_runner.hpp"

namespace bitrec {
namespace {

namespace fs = std::filesystem;

std::string fresh(const std::string& name) {
  const std::string dir = testing::cli_temp_path("bitrec_marker", name);
  fs::create_directories(dir);
  return dir;
}

void put(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST(RunMarker, RoundTripsAndListsForeignEntries) {
  const std::string dir = fresh("roundtrip");
  put(dir + "/checkpoint.bin", "x");
  put(dir + "/notes.txt", "mine");
  write_run_marker(dir, RunMarker{"run", "abc", {"checkpoint.bin", "report.json"}});
  const auto marker = read_run_marker(dir);
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->kind, "run");
  EXPECT_EQ(marker->id, "abc");
  EXPECT_EQ(marker->files, (std::vector<std::string>{"checkpoint.bin", "report.json"}));
  EXPECT_EQ(foreign_entries(dir), std::vector<std::string>{"notes.txt"});
  EXPECT_TRUE(holds_run(dir));
  fs::remove_all(dir);
}

TEST(RunMarker, AReportJsonAloneIsNotARunButALegacyCheckpointIs) {
  const std::string dir = fresh("legacy");
  put(dir + "/report.json", "{}");
  EXPECT_FALSE(holds_run(dir));
  EXPECT_EQ(foreign_entries(dir), std::vector<std::string>{"report.json"});
  put(dir + "/checkpoint.bin", std::string("BITRECCK") + std::string(8, '\0'));
  EXPECT_TRUE(holds_run(dir));
  EXPECT_TRUE(is_unmarked_legacy_run(dir));
  EXPECT_TRUE(foreign_entries(dir).empty());
  put(dir + "/data.csv", "u,i\n");
  EXPECT_FALSE(is_unmarked_legacy_run(dir));
  EXPECT_EQ(foreign_entries(dir), std::vector<std::string>{"data.csv"});
  EXPECT_FALSE(remove_marked_folder(dir));  // not bitrec's as a whole: untouched
  EXPECT_TRUE(fs::exists(dir + "/report.json"));
  fs::remove_all(dir);
}

TEST(RunMarker, RemovingAMarkedFolderKeepsWhatTheMarkDoesNotList) {
  const std::string dir = fresh("remove");
  put(dir + "/report.json", "{}");
  put(dir + "/notes.txt", "mine");
  write_run_marker(dir, RunMarker{"run", "abc", {"report.json"}});
  EXPECT_FALSE(remove_marked_folder(dir));
  EXPECT_FALSE(fs::exists(dir + "/report.json"));
  EXPECT_EQ(testing::slurp(dir + "/notes.txt"), "mine");
  fs::remove_all(dir);

  const std::string clean = fresh("remove_clean");
  put(clean + "/report.json", "{}");
  write_run_marker(clean, RunMarker{"run", "abc", {"report.json"}});
  EXPECT_TRUE(remove_marked_folder(clean));
  EXPECT_FALSE(fs::exists(clean));
}

TEST(OutputPath, ResolvesSlashesAndRefusesLinksFilesAndRunInsides) {
  const std::string base = fresh("paths");
  EXPECT_EQ(resolve_output_folder(base + "/a/", "--out"), base + "/a");
  EXPECT_EQ(resolve_output_folder(base + "/x/../b", "--out"), base + "/b");
  put(base + "/file", "f");
  EXPECT_THROW(resolve_output_folder(base + "/file", "--out"), InputError);
  fs::create_symlink(base + "/missing", base + "/link");
  EXPECT_THROW(resolve_output_folder(base + "/link", "--out"), InputError);
  fs::create_directories(base + "/run");
  write_run_marker(base + "/run", RunMarker{"run", "abc", {}});
  EXPECT_EQ(enclosing_run_folder(base + "/run/sub/file"), base + "/run");
  EXPECT_THROW(resolve_output_folder(base + "/run/sub", "--out"), InputError);
  EXPECT_THROW(check_output_file(base + "/run/top.txt", "--dump-topk"), InputError);
  EXPECT_EQ(check_output_file(base + "/top.txt", "--dump-topk"), base + "/top.txt");
  fs::remove_all(base);
}

TEST(RunDirectoryLock, ASecondDirectoryOnTheSameOutIsRefusedUntilTheFirstEnds) {
  const std::string base = fresh("lock");
  {
    RunDirectory first(base + "/run", false);
    EXPECT_THROW(RunDirectory(base + "/run", true), InputError);
    first.commit();
  }
  RunDirectory again(base + "/run", true);  // released: the next one may replace it
  EXPECT_EQ(again.commit(), base + "/run");
  EXPECT_EQ(testing::slurp(base + "/run/.bitrec-run").find("kind run") != std::string::npos, true);
  fs::remove_all(base);
}

}  // namespace
}  // namespace bitrec
