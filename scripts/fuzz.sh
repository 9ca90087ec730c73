#!/bin/bash
# fuzz.sh [SECONDS]: run every fuzz target of the project briefly (default 5 s each) on top of
# its committed corpus (testdata/fuzz). A crasher is written to testdata/fuzz/<Target>/ by
# go test: commit it with the fix, and it runs as a regression test in every `go test`.
# A run that fails WITHOUT writing a crasher (the fuzz engine losing a worker on a loaded
# machine) is retried once; a crasher always fails.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
crashers() { find . -path '*/testdata/fuzz/*' -type f 2>/dev/null | sort; }
while IFS=: read -r file name; do
  pkg=./$(dirname "$file")
  for try in 1 2; do
    echo "== $pkg $name (${T}s)"
    before=$(crashers)
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "${T}s" -fuzzminimizetime 0 "$pkg" >"$log" 2>&1; then
      break
    fi
    if [ "$(crashers)" != "$before" ] || [ "$try" = 2 ]; then
      tail -30 "$log"; fail=1; break
    fi
    echo "   fuzz engine failed without a crasher; retrying once"
  done
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
           grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed "s|^func |${f#./}:|"; done | sort)
exit $fail
