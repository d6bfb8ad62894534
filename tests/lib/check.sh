# Sourced by the CI check scripts (tests/*/check.sh): `check DESCRIPTION COMMAND...`
# runs COMMAND and prints "ok" or "FAILED" with the description; `check_summary`
# prints the totals and fails when any check failed (the script's last command).

passed=0
failed=0

check() { # check DESCRIPTION COMMAND...
  local what="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok      $what"
  else
    failed=$((failed + 1))
    echo "FAILED  $what"
  fi
}

check_summary() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
