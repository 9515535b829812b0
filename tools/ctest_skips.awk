# Lists the skipped tests of a ctest run with their reasons, from ctest's
# build/Testing/Temporary/LastTest.log (tools/test.sh):
#   skipped: <test>: <reason>
# ctest marks a GoogleTest skip "Skipped" ("Test Pass Reason: Skip regular
# expression found") but does not show GTEST_SKIP's message; the log holds
# every test's output, where the message sits between "file:line: Skipped"
# and "[  SKIPPED ]".
/^[0-9]+\/[0-9]+ Test: / { name = substr($0, index($0, "Test: ") + 6); out = 0; grab = 0; reason = ""; skip = 0; next }
/^Output:$/ { out = 1; getline; next }
/^<end of output>$/ { out = 0; grab = 0; next }
out && /: Skipped$/ { grab = 1; next }
out && grab {
  if ($0 ~ /^\[  SKIPPED \]/) grab = 0
  else if ($0 != "") reason = reason (reason == "" ? "" : " ") $0
  next
}
!out && /^Test Pass Reason:$/ { getline; if ($0 ~ /[Ss]kip/) skip = 1; next }
!out && / end time: / && skip {
  printf "skipped: %s: %s\n", name, (reason == "" ? "(no reason given)" : reason)
  n++; skip = 0
}
END { if (n) printf "test: %d test%s skipped (not passed; reasons above)\n", n, (n == 1 ? "" : "s") }
