# Shortens ninja's output for tools/setup.sh: ninja prints one
# "[done/total] description" line per finished step when its output is not a
# terminal; this keeps only the percentage, as one updating line (tty=1) or a
# line every 10 % (tty=0, logs), and passes every other line (compiler
# messages, errors, FAILED:) through as it comes. Writes to stdout.
#   cmake --build build 2>&1 | awk -v tty=0 -v what=bitrec -f tools/build_progress.awk
# srand() returns the previous seed: called twice, the time in seconds (POSIX awk).
function now(  t) { srand(); t = srand(); return t }
function elapsed(  s) { s = now() - t0; return sprintf("%dm%02ds", int(s / 60), s % 60) }
BEGIN { t0 = now(); mark = 0; open = 0 }
/^\[[0-9]+\/[0-9]+\] / {
  split(substr($1, 2, length($1) - 2), n, "/")
  if (n[1] + 0 == 0) next                     # "[0/2] Re-checking globbed directories..."
  if (n[2] != total) { total = n[2]; mark = 0 }  # a new phase: count from 0 % again
  pct = int(100 * n[1] / n[2])
  if (tty) {
    printf "\rsetup: building %s %3d%% (%d/%d steps, %s) ", what, pct, n[1], n[2], elapsed()
    open = 1
  } else if (pct >= mark) {
    printf "setup: building %s %3d%% (%d/%d steps, %s)\n", what, pct, n[1], n[2], elapsed()
    mark = pct - pct % 10 + 10
  }
  fflush()
  next
}
/^ninja: no work to do/ { printf "setup: %s up to date\n", what; fflush(); next }
{
  if (open) { printf "\n"; open = 0 }
  print; fflush()
}
END { if (open) printf "\n" }
