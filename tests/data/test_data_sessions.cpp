// Session data (include/bitrec/sessions.hpp): session files split by time,
// sequence files split by user id, split directories; training order, item
// map order, the filtering of validation and test, and errors with
// path:line (datasets/README.md "Session data").
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "bitrec/sessions.hpp"
#include "data/session_parts.hpp"
#include "test_data_util.hpp"

namespace bitrec {
namespace {

using test::input_error_of;
using test::write_file;
using Items = std::vector<std::string>;
using Ids = std::vector<std::string>;

// Session s of `set` as external item ids.
Items items_of(const SessionData& data, const SessionSet& set, int64_t s) {
  Items out;
  for (int64_t e = set.offsets[s]; e < set.offsets[s + 1]; ++e) {
    EXPECT_GE(set.items[e], 0);
    EXPECT_LT(set.items[e], data.n_items);
    out.push_back(data.item_ids[static_cast<size_t>(set.items[e])]);
  }
  return out;
}

void expect_consistent(const SessionSet& set) {
  ASSERT_FALSE(set.offsets.empty());
  EXPECT_EQ(set.offsets.front(), 0);
  EXPECT_EQ(set.offsets.back(), set.n_events());
  EXPECT_EQ(set.session_ids.size(), static_cast<size_t>(set.n_sessions()));
  EXPECT_EQ(set.start_times.size(), static_cast<size_t>(set.n_sessions()));
  EXPECT_TRUE(std::is_sorted(set.start_times.begin(), set.start_times.end()));
}

void expect_consistent(const SessionData& data) {
  expect_consistent(data.train);
  expect_consistent(data.valid);
  expect_consistent(data.test);
  EXPECT_EQ(data.item_ids.size(), static_cast<size_t>(data.n_items));
}

// --- Time parsing ---------------------------------------------------------

double time_of(const std::string& token) {
  double seconds = -12345;
  EXPECT_TRUE(data::parse_event_time(token, &seconds)) << token;
  return seconds;
}

bool is_time(const std::string& token) {
  double seconds;
  return data::parse_event_time(token, &seconds);
}

TEST(DataSessions, TimesAreNumbersDatesAndDateTimes) {
  EXPECT_EQ(time_of("1396321232"), 1396321232.0);
  EXPECT_EQ(time_of("1.5"), 1.5);
  EXPECT_EQ(time_of("1e3"), 1000.0);
  EXPECT_EQ(time_of("1970-01-01"), 0.0);
  EXPECT_EQ(time_of("1970-01-02"), 86400.0);
  EXPECT_EQ(time_of("2016-05-09"), 1462752000.0);
  EXPECT_EQ(time_of("2000-03-01") - time_of("2000-02-28"), 2 * 86400.0);  // 2000 is a leap year
  EXPECT_EQ(time_of("1969-12-31"), -86400.0);
  EXPECT_EQ(time_of("2016-05-09 13:45:07"), 1462752000.0 + 13 * 3600 + 45 * 60 + 7);
  EXPECT_EQ(time_of("2016-05-09T13:45:07"), 1462752000.0 + 13 * 3600 + 45 * 60 + 7);
  EXPECT_DOUBLE_EQ(time_of("2014-04-07T10:51:09.277Z"), 1396867869.277);
  for (const char* bad : {"", "abc", "12a", "nan", "inf", "2016-5-9", "2016-13-01", "2016-02-30",
                          "2001-02-29", "2016-05-09X10:00:00", "2016-05-09 24:00:00",
                          "2016-05-09 10:60:00", "2016-05-09 10:00", "2016-05-09 10:00:00.",
                          "2016/05/09"}) {
    EXPECT_FALSE(is_time(bad)) << bad;
  }
}

// --- Session files --------------------------------------------------------

TEST(DataSessions, TimeSplitPutsTheBoundaryInTest) {
  // tmax = 200000, one day before it is 113600: session 3 ends exactly
  // there (test), session 2 one second earlier (train).
  const std::string path = write_file(test::fresh_test_dir(), "clicks.tsv",
                                      "SessionId\tItemId\tTime\n"
                                      "1\ta\t0\n"
                                      "1\tb\t10\n"
                                      "2\ta\t100\n"
                                      "2\tc\t113599\n"
                                      "3\ta\t100000\n"
                                      "3\tb\t113600\n"
                                      "4\tc\t190000\n"
                                      "4\ta\t200000\n");
  const SessionData data = load_session_data(path);
  expect_consistent(data);
  EXPECT_EQ(data.name, "clicks");
  EXPECT_EQ(data.source, path);
  EXPECT_EQ(data.format, "session-file");
  EXPECT_EQ(data.events_read, 8);
  EXPECT_EQ(data.train.session_ids, (Ids{"1", "2"}));
  EXPECT_EQ(data.test.session_ids, (Ids{"3", "4"}));
  EXPECT_EQ(data.test.start_times, (std::vector<double>{100000, 190000}));
  EXPECT_EQ(data.item_ids, (Ids{"a", "b", "c"}));
  EXPECT_EQ(items_of(data, data.test, 1), (Items{"c", "a"}));
  EXPECT_EQ(data.valid.n_sessions(), 0);

  // Half a day: session 3 (ends 86400 s before tmax) is train now.
  SessionLoadOptions half;
  half.test_days = 0.5;
  EXPECT_EQ(load_session_data(path, half).test.session_ids, (Ids{"4"}));
}

TEST(DataSessions, TrainingOrderTiesNonContiguousRowsAndItemMap) {
  // s2, s3 and s4 start at 20 (in that order of first appearance), s1 at
  // 50 though its row comes first; s2's rows are not contiguous.
  const std::string path = write_file(test::fresh_test_dir(), "ties.csv",
                                      "SessionId,ItemId,Time,Extra\n"
                                      "s1,a,50,x\n"
                                      "s2,b,20,x\n"
                                      "s3,c,20,x\n"
                                      "s2,d,30,x\n"
                                      "s4,e,20,x\n"
                                      "s1,a,60,x\n"
                                      "s2,f,25,x\n"
                                      "s9,a,1000000,x\n"
                                      "s9,b,1000001,x\n");
  const SessionData data = load_session_data(path);
  expect_consistent(data);
  EXPECT_EQ(data.train.session_ids, (Ids{"s2", "s3", "s4", "s1"}));
  EXPECT_EQ(data.train.start_times, (std::vector<double>{20, 20, 20, 50}));
  // Events by time, not by file order: f (25) before d (30).
  EXPECT_EQ(items_of(data, data.train, 0), (Items{"b", "f", "d"}));
  // Sessions of one event stay in train.
  EXPECT_EQ(data.train.length(1), 1);
  EXPECT_EQ(data.train.length(2), 1);
  EXPECT_EQ(items_of(data, data.train, 3), (Items{"a", "a"}));
  // Dense ids: first occurrence walking train in training order.
  EXPECT_EQ(data.item_ids, (Ids{"b", "f", "d", "c", "e", "a"}));
  EXPECT_EQ(data.train.items, (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 5}));
  EXPECT_EQ(data.test.session_ids, (Ids{"s9"}));
  EXPECT_EQ(data.test.items, (std::vector<int32_t>{5, 0}));
}

TEST(DataSessions, OrderColumnBreaksTiesOfTheTimeColumn) {
  // Diginetica's layout: ';' separated, a day and milliseconds within it.
  SessionLoadOptions options;
  options.session_column = "session_id";
  options.item_column = "item_id";
  options.time_column = "eventdate, timeframe";
  const std::string path = write_file(test::fresh_test_dir(), "views.csv",
                                      "session_id;user_id;item_id;timeframe;eventdate\n"
                                      "1;NA;i3;900;2016-05-09\n"
                                      "1;NA;i1;100;2016-05-09\n"
                                      "1;NA;i2;500;2016-05-09\n"
                                      "1;NA;i4;900;2016-05-09\n"
                                      "1;NA;i0;999999;2016-05-08\n"
                                      "2;NA;i1;5;2016-05-20\n"
                                      "2;NA;i2;6;2016-05-20\n");
  const SessionData data = load_session_data(path, options);
  expect_consistent(data);
  // Earlier date first whatever its timeframe; equal (date, timeframe): file order.
  EXPECT_EQ(items_of(data, data.train, 0), (Items{"i0", "i1", "i2", "i3", "i4"}));
  EXPECT_EQ(data.train.start_times, (std::vector<double>{1462665600.0}));
  EXPECT_EQ(data.test.session_ids, (Ids{"2"}));

  // Without the order column, equal days keep file order.
  options.time_column = "eventdate";
  const SessionData by_day = load_session_data(path, options);
  EXPECT_EQ(items_of(by_day, by_day.train, 0), (Items{"i0", "i3", "i1", "i2", "i4"}));
}

TEST(DataSessions, DateTimeColumnAndCommaCsvWithSemicolonsInValues) {
  // A ',' in the header makes ',' the delimiter even with ';' in it.
  const std::string path = write_file(test::fresh_test_dir(), "dt.csv",
                                      "SessionId,ItemId,Time,note;x\n"
                                      "a,1,2016-05-09 10:00:00,;\n"
                                      "a,2,2016-05-09T09:00:00,\n"
                                      "b,1,2016-05-11T00:00:00,\n"
                                      "b,2,2016-05-11 00:00:01,\n");
  const SessionData data = load_session_data(path);
  EXPECT_EQ(items_of(data, data.train, 0), (Items{"2", "1"}));
  EXPECT_EQ(data.train.start_times, (std::vector<double>{1462752000.0 + 9 * 3600}));
  EXPECT_EQ(data.test.session_ids, (Ids{"b"}));
}

TEST(DataSessions, TestIsFilteredByTrainItemsThenByLength) {
  const std::string path = write_file(test::fresh_test_dir(), "f.tsv",
                                      "SessionId\tItemId\tTime\n"
                                      "1\tx\t0\n"
                                      "1\ty\t1\n"
                                      "2\ty\t2\n"
                                      "2\tz\t3\n"
                                      "2\tw\t4\n"
                                      "3\tx\t900000\n"
                                      "3\tq\t900001\n"
                                      "4\tq\t900002\n"
                                      "4\tr\t900003\n"
                                      "5\tx\t900004\n"
                                      "5\ty\t900005\n"
                                      "5\tq\t900006\n"
                                      "5\tz\t900007\n");
  const SessionData data = load_session_data(path);
  expect_consistent(data);
  EXPECT_EQ(data.test_filter.unknown_item_events, 4);  // q, q r, q
  EXPECT_EQ(data.test_filter.short_sessions, 2);       // 3 (x left) and 4 (nothing left)
  EXPECT_EQ(data.test_filter.short_session_events, 1);
  EXPECT_EQ(data.test.session_ids, (Ids{"5"}));
  EXPECT_EQ(items_of(data, data.test, 0), (Items{"x", "y", "z"}));
  EXPECT_EQ(data.test.start_times, (std::vector<double>{900004}));
  EXPECT_EQ(data.n_items, 4);
}

TEST(DataSessions, FilterEvalSessionsAlone) {
  SessionSet set;
  set.offsets = {0, 3, 4, 6};
  set.items = {0, -1, 2, 5, -1, -1};
  set.session_ids = {"a", "b", "c"};
  set.start_times = {1, 2, 3};
  SessionFilterCounts counts;
  const SessionSet kept = filter_eval_sessions(set, &counts);
  EXPECT_EQ(kept.offsets, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(kept.items, (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(kept.session_ids, (Ids{"a"}));
  EXPECT_EQ(kept.start_times, (std::vector<double>{1}));
  EXPECT_EQ(counts.unknown_item_events, 3);
  EXPECT_EQ(counts.short_sessions, 2);
  EXPECT_EQ(counts.short_session_events, 1);
}

TEST(DataSessions, CarveValidFromASessionFile) {
  // Test: D (ends at tmax 300000). Train's latest is C (150000), so the
  // validation cut is 63600: C is validation, A and B stay train. Item v
  // occurs only in C, so it is dropped from test too.
  const std::string path = write_file(test::fresh_test_dir(), "v.tsv",
                                      "SessionId\tItemId\tTime\n"
                                      "A\tx\t0\n"
                                      "A\tx\t10\n"
                                      "B\ty\t50000\n"
                                      "B\tz\t60000\n"
                                      "C\tx\t140000\n"
                                      "C\ty\t145000\n"
                                      "C\tv\t150000\n"
                                      "D\tx\t290000\n"
                                      "D\tv\t295000\n"
                                      "D\ty\t300000\n");
  SessionLoadOptions options;
  options.carve_valid = true;
  const SessionData data = load_session_data(path, options);
  expect_consistent(data);
  EXPECT_EQ(data.train.session_ids, (Ids{"A", "B"}));
  EXPECT_EQ(data.valid.session_ids, (Ids{"C"}));
  EXPECT_EQ(data.test.session_ids, (Ids{"D"}));
  EXPECT_EQ(data.item_ids, (Ids{"x", "y", "z"}));
  EXPECT_EQ(items_of(data, data.valid, 0), (Items{"x", "y"}));
  EXPECT_EQ(items_of(data, data.test, 0), (Items{"x", "y"}));
  EXPECT_EQ(data.valid_filter.unknown_item_events, 1);
  EXPECT_EQ(data.test_filter.unknown_item_events, 1);

  // Without validation, v is a train item and stays in test.
  const SessionData plain = load_session_data(path);
  EXPECT_EQ(plain.train.session_ids, (Ids{"A", "B", "C"}));
  EXPECT_EQ(items_of(plain, plain.test, 0), (Items{"x", "v", "y"}));
  EXPECT_EQ(plain.test_filter.unknown_item_events, 0);
}

// --- Sequence files -------------------------------------------------------

const char* const kSequences =
    "3 100\n"
    "3 101\n"
    "3 102\n"
    "10 100\n"
    "10 101\n"
    "10 999\n"
    "1 101\n"
    "1 103\n"
    "20 555\n"
    "20 556\n"
    "11 100\n"
    "11 101\n"
    "11 103\n"
    "\n"
    "2\t0104\n";

TEST(DataSessions, SequenceFileSplitsByUserIdModTen) {
  const std::string path = write_file(test::fresh_test_dir(), "seq.txt", kSequences);
  const SessionData data = load_session_data(path);
  expect_consistent(data);
  EXPECT_EQ(data.format, "sequence-file");
  EXPECT_EQ(data.name, "seq");
  EXPECT_EQ(data.events_read, 14);
  EXPECT_EQ(data.train.session_ids, (Ids{"3", "1", "11", "2"}));
  EXPECT_EQ(data.train.start_times, (std::vector<double>{1, 7, 11, 15}));
  EXPECT_EQ(data.item_ids, (Ids{"100", "101", "102", "103", "104"}));
  EXPECT_EQ(data.test.session_ids, (Ids{"10"}));
  EXPECT_EQ(items_of(data, data.test, 0), (Items{"100", "101"}));
  EXPECT_EQ(data.test_filter.unknown_item_events, 3);
  EXPECT_EQ(data.test_filter.short_sessions, 1);
  EXPECT_EQ(data.test_filter.short_session_events, 0);
  EXPECT_TRUE(is_session_spec(path));
}

TEST(DataSessions, SequenceFileCarvesUsersEndingInOne) {
  const std::string path = write_file(test::fresh_test_dir(), "seq.txt", kSequences);
  SessionLoadOptions options;
  options.carve_valid = true;
  const SessionData data = load_session_data(path, options);
  expect_consistent(data);
  EXPECT_EQ(data.train.session_ids, (Ids{"3", "2"}));
  EXPECT_EQ(data.item_ids, (Ids{"100", "101", "102", "104"}));
  // User 1 keeps only 101 (103 is not a train item): too short.
  EXPECT_EQ(data.valid.session_ids, (Ids{"11"}));
  EXPECT_EQ(items_of(data, data.valid, 0), (Items{"100", "101"}));
  EXPECT_EQ(data.valid_filter.unknown_item_events, 2);
  EXPECT_EQ(data.valid_filter.short_sessions, 1);
  EXPECT_EQ(data.valid_filter.short_session_events, 1);
  EXPECT_EQ(data.test.session_ids, (Ids{"10"}));
}

// --- Split directories ----------------------------------------------------

std::string write_split_dir(const std::string& parent) {
  const std::string dir = parent + "/gru";
  std::filesystem::create_directories(dir);
  write_file(dir, "train.tsv",
             "SessionId\tItemId\tTime\n"
             "1\ta\t100\n"
             "1\tb\t200\n"
             "2\tb\t500000\n"
             "2\tc\t500100\n"
             "3\tc\t50\n"
             "3\td\t60\n");
  // A later time than train's is not needed: test.tsv is test as it is.
  write_file(dir, "test.tsv",
             "SessionId\tItemId\tTime\n"
             "7\ta\t10\n"
             "7\tc\t20\n"
             "8\tc\t5\n"
             "8\tzz\t6\n");
  return dir;
}

TEST(DataSessions, SplitDirectoryFiltersTestByTrainItems) {
  const std::string dir = write_split_dir(test::fresh_test_dir());
  const SessionData data = load_session_data(dir + "/");
  expect_consistent(data);
  EXPECT_EQ(data.format, "split-directory");
  EXPECT_EQ(data.name, "gru");
  EXPECT_EQ(data.events_read, 10);
  EXPECT_EQ(data.train.session_ids, (Ids{"3", "1", "2"}));
  EXPECT_EQ(data.item_ids, (Ids{"c", "d", "a", "b"}));
  EXPECT_EQ(data.test.session_ids, (Ids{"7"}));
  EXPECT_EQ(data.test_filter.unknown_item_events, 1);
  EXPECT_EQ(data.test_filter.short_sessions, 1);
  EXPECT_TRUE(is_session_spec(dir));

  SessionLoadOptions options;
  options.carve_valid = true;
  const SessionData carved = load_session_data(dir, options);
  EXPECT_EQ(carved.train.session_ids, (Ids{"3", "1"}));
  EXPECT_EQ(carved.valid.session_ids, (Ids{"2"}));
  EXPECT_EQ(carved.item_ids, (Ids{"c", "d", "a", "b"}));
  EXPECT_EQ(carved.test.session_ids, (Ids{"7"}));
}

// --- Recognising session data ---------------------------------------------

TEST(DataSessions, IsSessionSpec) {
  const std::string dir = test::fresh_test_dir();
  EXPECT_TRUE(is_session_spec(write_file(dir, "a.tsv", "SessionId\tItemId\tTime\n1\tx\t0\n")));
  EXPECT_TRUE(is_session_spec(write_file(dir, "b.csv", "sessionid,itemid,time\n")));
  EXPECT_TRUE(is_session_spec(write_file(dir, "c.txt", "\n7 3\n")));
  EXPECT_FALSE(is_session_spec(write_file(dir, "d.csv", "user,item\n1,2\n")));
  EXPECT_FALSE(is_session_spec(write_file(dir, "e.csv", "1,2\n")));
  EXPECT_FALSE(is_session_spec(write_file(dir, "f.dat", "SessionId\tItemId\n")));
  EXPECT_FALSE(is_session_spec(write_file(dir, "g.txt", "1 2 3\n")));
  EXPECT_FALSE(is_session_spec(write_file(dir, "h.txt", "")));
  EXPECT_FALSE(is_session_spec(dir + "/missing.tsv"));
  SessionLoadOptions options;
  options.session_column = "session_id";
  const std::string semi = write_file(dir, "i.csv", "session_id;item_id;eventdate\n");
  EXPECT_TRUE(is_session_spec(semi, options));
  EXPECT_FALSE(is_session_spec(semi));
  EXPECT_FALSE(is_session_spec(test::write_lightgcn(dir, "lgcn", "0 1 2\n", "0 3\n")));
  EXPECT_TRUE(is_session_spec(write_split_dir(dir)));
}

// --- Errors ---------------------------------------------------------------

std::string error_loading(const std::string& path, const SessionLoadOptions& options = {}) {
  return input_error_of([&] { load_session_data(path, options); });
}

void expect_contains(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "message: " << message
                                                   << "\nexpected to contain: " << part;
}

TEST(DataSessions, ErrorsNameTheFileLineAndProblem) {
  const std::string dir = test::fresh_test_dir();
  const auto check = [&](const std::string& name, const std::string& bytes,
                         const std::string& where, const std::string& problem,
                         const SessionLoadOptions& options = {}) {
    const std::string path = write_file(dir, name, bytes);
    const std::string message = error_loading(path, options);
    expect_contains(message, path + where);
    expect_contains(message, problem);
  };
  const std::string header = "SessionId\tItemId\tTime\n";
  check("col.tsv", "Session\tItemId\tTime\n1\ta\t0\n", ":1: ",
        "the header has no session column 'SessionId' (columns: 'Session', 'ItemId', 'Time'); "
        "--session-col names it");
  check("item.tsv", "SessionId\tItem\tTime\n", ":1: ", "no item column 'ItemId'");
  check("item.tsv", "SessionId\tItem\tTime\n", ":1: ", "--item-col names it");
  check("time.tsv", "\nSessionId\tItemId\tStamp\n", ":2: ", "no time column 'Time'");
  check("time.tsv", "\nSessionId\tItemId\tStamp\n", ":2: ", "--time-col names it");
  SessionLoadOptions ordered;
  ordered.time_column = "Time,frame";
  check("order.tsv", header, ":1: ", "no order column 'frame'", ordered);
  check("few.tsv", header + "1\ta\t0\n1\tb\n", ":3: ",
        "row has 2 fields, the header has 3 (delimiter tab)");
  check("badtime.tsv", header + "1\ta\t0\n1\tb\t10:00\n", ":3: ",
        "'10:00' in column 'Time' is not a time "
        "(expected seconds, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)");
  check("badorder.tsv", "SessionId\tItemId\tTime\tframe\n1\ta\t0\tx1\n", ":2: ",
        "'x1' in the order column 'frame' is not a number", ordered);
  check("nosess.tsv", header + "1\ta\t0\n\tb\t1\n", ":3: ", "empty session id");
  check("noitem.tsv", header + "1\ta\t0\n1\t\t1\n", ":3: ", "empty item id");
  check("empty.tsv", "\n\n", ":1: ",
        "empty file: expected a header row naming the SessionId, ItemId and Time columns");
  check("noevents.tsv", header + "\n", ":1: ", "no events after the header row");
  check("seq3.txt", "1 2\n1 3 4\n", ":2: ",
        "expected two non-negative integers `user item`, got 3 fields");
  check("seqneg.txt", "1 2\n1 -3\n", ":2: ", "'-3' is a negative item id");
  check("seqword.txt", "1 2\nx 3\n", ":2: ", "'x' is not a non-negative integer user id");
  check("seqagain.txt", "5 1\n5 2\n6 1\n6 3\n5 3\n", ":5: ",
        "user 5 appears again at line 5 after other users; "
        "a sequence file keeps each user's lines together");
  // Every session ends within the last day: nothing left for train.
  check("alltest.tsv", header + "1\ta\t0\n1\tb\t10\n2\ta\t5\n2\tb\t20\n", ":1: ",
        "no train sessions left after the split: the test rule (sessions whose last event is "
        "within 1 day(s) of the latest, --test-days) took all 2 sessions");
  check("notest.tsv",
        header + "1\ta\t0\n1\tb\t10\n2\tc\t900000\n2\td\t900010\n3\ta\t900005\n", ":1: ",
        "no test sessions left after filtering: of 2 test sessions (3 events), dropped 2 events "
        "whose item never occurs in train, then 2 sessions left with fewer than 2 events "
        "(1 event)");
  check("seqtrain.txt", "10 1\n10 2\n20 1\n", ":1: ", "no train sessions left after the split");
  check("seqnotest.txt", "1 1\n1 2\n2 1\n", ":1: ",
        "no test sessions: the test rule (users whose id % 10 == 0) took none");
  check("gz.tsv", std::string("\x1F\x8B\x08\x00", 4), ": ", "gzip-compressed; decompress it first");
  check("zip.csv", std::string("PK\x03\x04", 4), ": ", "a zip archive; extract it first");
  check("odd.dat", "SessionId\tItemId\tTime\n", ": ", "neither a session file nor a sequence file");
  SessionLoadOptions carve;
  carve.carve_valid = true;
  check("novalid.txt", "2 1\n2 2\n11 7\n11 8\n10 1\n10 2\n", ":1: ",
        "no validation sessions left after filtering", carve);

  expect_contains(error_loading(dir + "/missing.tsv"), dir + "/missing.tsv: not found");
  const std::string half = dir + "/half";
  std::filesystem::create_directories(half);
  write_file(half, "train.tsv", header + "1\ta\t0\n");
  expect_contains(error_loading(half), half + "/test.tsv: file not found");
  SessionLoadOptions no_days;
  no_days.test_days = 0;
  expect_contains(error_loading(half, no_days), "--test-days: 0 is not a positive number of days");
}

// --- Public data (skipped when absent) --------------------------------------

// ../shared/datasets next to the checkout (datasets/README.md "Public
// datasets"); empty when absent.
std::string shared_dataset(const std::string& relative) {
  const std::string path = std::string(BITREC_SOURCE_DIR "/../shared/datasets/") + relative;
  return std::filesystem::exists(path) ? path : "";
}

TEST(DataSessions, VideoGamesCountsMatchItsReadme) {
  const std::string path = shared_dataset("video-games/sequences.txt");
  if (path.empty()) GTEST_SKIP() << "video-games/sequences.txt not found under ../shared/datasets";
  const auto start = std::chrono::steady_clock::now();
  const SessionData data = load_session_data(path);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("video-games: %.0f ms\n", ms);
  expect_consistent(data);
  EXPECT_EQ(data.events_read, 287107);
  EXPECT_EQ(data.train.n_events(), 259083);
  EXPECT_EQ(data.train.n_sessions(), 27912);
  EXPECT_EQ(data.test.n_events(), 27628);
  EXPECT_EQ(data.test.n_sessions(), 3099);
  EXPECT_TRUE(is_session_spec(path));
}

TEST(DataSessions, DigineticaSampleLoadsWithTwoTimeColumns) {
  const std::string path = shared_dataset("diginetica-sample/train-item-views.csv");
  if (path.empty()) {
    GTEST_SKIP() << "diginetica-sample/train-item-views.csv not found under ../shared/datasets";
  }
  SessionLoadOptions options;
  options.session_column = "session_id";
  options.item_column = "item_id";
  options.time_column = "eventdate,timeframe";
  const SessionData data = load_session_data(path, options);
  expect_consistent(data);
  // 12,391 rows after the header (its README says 12,390; the file's last
  // line has no newline, which a line count misses), in 2,986 sessions.
  EXPECT_EQ(data.events_read, 12391);
  EXPECT_EQ(data.train.n_sessions() + data.test.n_sessions() + data.test_filter.short_sessions,
            2986);
  EXPECT_GT(data.test.n_sessions(), 0);
  std::set<int32_t> train_items(data.train.items.begin(), data.train.items.end());
  for (const int32_t item : data.test.items) {
    ASSERT_TRUE(train_items.count(item)) << item;
  }
  EXPECT_EQ(static_cast<int32_t>(train_items.size()), data.n_items);
  EXPECT_TRUE(is_session_spec(path, options));
}

}  // namespace
}  // namespace bitrec
