#!/usr/bin/env bash
# Mutation testing of the scoring core with mutmut, on the fast tests only.
#
#   scripts/mutation.sh                    # rubric.rules scoring.score scoring.record
#                                          # reproduce.replay scoring.grading, one at a time
#   scripts/mutation.sh scoring.score reproduce.replay  # only these modules (dotted, under kpa_core)
#
# Each module is mutated in a scratch copy of the repository (the repo itself gets no mutants/
# folder and no mutmut config), then the counts are printed as a Markdown row for TESTING.md and
# the surviving mutants are listed in $OUT/<module>.survivors.txt (see `mutmut show NAME` there).
# Lines holding only message text (a string literal alone on its line, allowed_zh=/allowed_en=)
# are left out: changing a message changes no score, and the message tests pin wording anyway.
#
# Not run in CI: on 2 cores a full run takes hours. It runs at the lowest CPU priority.
# Needs mutmut (not a project dependency):  pip install 'mutmut==3.8.1'
# Environment: MUTATION_JOBS (parallel mutants, default 2), MUTATION_OUT (default
# /tmp/kpa-mutation), PYTHON (default: python on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
PY="${PYTHON:-python}"
JOBS="${MUTATION_JOBS:-2}"
OUT="${MUTATION_OUT:-${TMPDIR:-/tmp}/kpa-mutation}"
MUTMUT="$(dirname "$(command -v "$PY")")/mutmut"
if [ ! -x "$MUTMUT" ]; then
  echo "mutmut is not installed next to $PY: pip install 'mutmut==3.8.1'" >&2
  exit 2
fi
RUN_MUTMUT='import sys
sys.meta_path[:] = [f for f in sys.meta_path if "Editable" not in getattr(f, "__name__", "")]
sys.argv[0] = "mutmut"
from mutmut.__main__ import cli
cli()'
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(rubric.rules scoring.score scoring.record reproduce.replay
                                     scoring.grading)

# The fast tests: no notebook, browser, report batch, Excel or widget tests.
FAST_TESTS=(
  tests/test_rules.py tests/test_scoring.py tests/test_record_errors.py tests/test_reproduce.py
  tests/test_grading.py tests/test_params.py tests/test_rubric.py tests/test_compare.py
  tests/test_whatif.py tests/test_sample_data.py tests/test_properties.py tests/test_cli_score.py
  tests/test_pinning_rules.py tests/test_pinning_scoring.py tests/test_pinning_record.py
  tests/test_pinning_reproduce.py tests/test_pinning_grading.py
)

mkdir -p "$OUT"
work="$OUT/tree"
rm -rf "$work"
mkdir -p "$work"
# One clean copy of the tracked files (the working tree's versions), one mutmut setup and one
# stats run (which test touches which function) for all the modules; then one module at a time.
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work"
# the seed text sits beside the clone in CI; point the copy at the real one
seed=""
for parent in "$REPO" "$REPO"/..{,/..,/../..}; do
  if [ -f "$parent/shared/seed/assessment-rules-2013-draft.zh.txt" ]; then
    seed="$parent/shared/seed"; break
  fi
done
{
  echo "[mutmut]"
  echo "source_paths = kpa_core"
  echo "only_mutate ="
  for module in "${modules[@]}"; do echo "    kpa_core/${module//.//}.py"; done
  echo "also_copy ="
  for extra in data params scripts notebooks README.md; do echo "    $extra"; done
  echo "do_not_mutate_patterns ="
  echo "    ^\\s*f?\"[^\"]*\"[,)\\]]*\\s*(#.*)?\$"
  echo "    ^\\s*f?'[^']*'[,)\\]]*\\s*(#.*)?\$"
  echo "    ^\\s*allowed_(zh|en)=f?\"[^\"]*\"[,)]*\\s*\$"
  printf 'pytest_add_cli_args =\n    -m\n    not browser and not notebook\n    -p\n    no:cacheprovider\n'
  echo "pytest_add_cli_args_test_selection ="
  for t in "${FAST_TESTS[@]}"; do if [ -f "$t" ]; then echo "    $t"; fi; done
} > "$work/setup.cfg"

echo "| module | mutants | killed | timeout | survived | no tests | score, all | score, code-changing |"
echo "|---|---|---|---|---|---|---|---|"
for module in "${modules[@]}"; do
  tag="${module//./-}"  # file names of this module's results
  (
    cd "$work"
    # The mutated copy, not an installed tree, must be what the tests import: mutmut puts
    # mutants/ first on sys.path, but an editable install's finder (pip install -e) would still
    # hand out the original package, so it is taken off sys.meta_path before mutmut starts.
    export KPA_SEED_DIR="$seed"
    unset PYTHONPATH KPA_HOME
    start=$(date +%s)
    nice -n 19 "$PY" -c "$RUN_MUTMUT" run --max-children "$JOBS" "kpa_core.$module.*" \
      > "$OUT/$tag.log" 2>&1 || true
    echo "$(( $(date +%s) - start ))" > "$OUT/$tag.seconds"
    "$PY" -c "$RUN_MUTMUT" results --all true 2>&1 | grep "kpa_core\.${module//./\\.}\." \
      > "$OUT/$tag.results.txt" || true
  )
  r="$OUT/$tag.results.txt"
  count() { grep -c ": $1\$" "$r" || true; }
  killed=$(count killed); survived=$(count survived); timeout=$(count timeout)
  untested=$(count "no tests"); total=$(grep -cE ': [a-z ]+$' "$r" || true)
  grep ': survived$' "$r" | sed 's/: survived$//; s/^ *//' > "$OUT/$tag.survivors.txt" || true
  grep ': no tests$' "$r" | sed 's/: no tests$//; s/^ *//' > "$OUT/$tag.untested.txt" || true
  # a timeout counts as detected (the mutant made the tests hang); "no tests" as not killed;
  # the last column leaves out text-only mutants (only a string constant differs)
  scores=$("$PY" "$REPO/scripts/mutation_classify.py" "$work/mutants/kpa_core/${module//.//}.py" "$r" \
    "$OUT/$tag")
  echo "| \`$module\` | $total | $killed | $timeout | $survived | $untested | $scores |" \
    | tee -a "$OUT/table.md"
done
echo
echo "survivors: $OUT/<module>.code-survivors.txt (and .text-survivors.txt); logs: $OUT/<module>.log"
