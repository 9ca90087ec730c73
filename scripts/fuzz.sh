#!/bin/bash
# fuzz.sh [SECONDS]: run every fuzz target of the project briefly (default 5 s each) on top of
# its committed corpus (testdata/fuzz). A crasher is written to testdata/fuzz/<Target>/ by
# go test: commit it with the fix, and it runs as a regression test in every `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
fail=0
while IFS=: read -r file name; do
  pkg=./$(dirname "$file")
  echo "== $pkg $name (${T}s)"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "${T}s" -fuzzminimizetime 0 "$pkg" >/tmp/fuzz.$$.log 2>&1; then
    tail -30 /tmp/fuzz.$$.log; fail=1
  fi
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
           grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed "s|^func |${f#./}:|"; done | sort)
rm -f /tmp/fuzz.$$.log
exit $fail
