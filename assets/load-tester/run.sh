#!/bin/sh
# The LoadTester's load generator (cdk-ecs-devops).
#
# Sends a bounded ApacheBench (ab) run to each target and prints the results as CloudWatch
# Embedded Metric Format (EMF) lines on stdout. The awslogs log driver ships them to CloudWatch
# Logs, which turns them into metrics; human-readable notes go to stderr. The construct passes this
# file base64-encoded in LT_SCRIPT to the stock httpd image, whose fixed command decodes it and
# execs `sh -c` with it; so it uses only what that image has: a POSIX sh, base64, awk, date, sleep
# and ab. It writes no files: the root filesystem is read-only.
#
# Configuration, all from the environment (the construct sets every variable):
#   LT_TARGETS          space-separated name=url pairs
#   LT_REQUESTS         requests per target and run (ab -n)
#   LT_CONCURRENCY      requests in flight at once (ab -c)
#   LT_TIME_LIMIT       seconds one run may take at most (ab -t)
#   LT_REQUEST_TIMEOUT  seconds to wait for one response (ab -s)
#   LT_MODE             once: one run per target, then exit (1 if a run measured nothing, else 3
#                       if a run crossed a threshold below, else 0);
#                       loop: a round of runs every LT_PAUSE seconds until the task is stopped
#   LT_PAUSE            seconds between two rounds in loop mode
#   LT_MAX_ERROR_PERCENT, LT_MAX_P99_MS (optional; a deployment gate sets them): a run whose failed
#                       plus non-2xx requests exceed this percentage of its completed requests, or
#                       whose 99th-percentile response time exceeds this many milliseconds, crossed
#                       a threshold
#   LT_NAMESPACE, LT_TESTER_DIMENSION, LT_TARGET_DIMENSION, LT_TESTER and LT_METRIC_*:
#                       the CloudWatch namespace, dimensions and metric names to emit

set -u
# URLs may contain '?' or '*': LT_TARGETS is split on spaces but must never be globbed.
set -f
NL='
'

note() {
  echo "load-tester: $*" >&2
}

fail() {
  note "$*"
  exit 2
}

for var in LT_TARGETS LT_REQUESTS LT_CONCURRENCY LT_TIME_LIMIT LT_REQUEST_TIMEOUT LT_MODE LT_PAUSE \
  LT_NAMESPACE LT_TESTER_DIMENSION LT_TARGET_DIMENSION LT_TESTER \
  LT_METRIC_RPS LT_METRIC_P50 LT_METRIC_P90 LT_METRIC_P99 LT_METRIC_COMPLETED LT_METRIC_FAILED \
  LT_METRIC_NON2XX LT_METRIC_FAILED_RUNS; do
  eval "value=\${$var:-}"
  [ -n "$value" ] || fail "$var is not set"
done

for var in LT_REQUESTS LT_CONCURRENCY LT_TIME_LIMIT LT_REQUEST_TIMEOUT LT_PAUSE; do
  eval "value=\$$var"
  case $value in
    *[!0-9]*) fail "$var ($value) must be a whole number of at least 1" ;;
  esac
  [ "$value" -ge 1 ] || fail "$var ($value) must be a whole number of at least 1"
done

case $LT_MODE in
  once | loop) ;;
  *) fail "LT_MODE ($LT_MODE) must be once or loop" ;;
esac

# Thresholds are decimal numbers (0.5 %, 250 ms); unset or empty means no threshold.
LT_MAX_ERROR_PERCENT=${LT_MAX_ERROR_PERCENT:-}
LT_MAX_P99_MS=${LT_MAX_P99_MS:-}
for var in LT_MAX_ERROR_PERCENT LT_MAX_P99_MS; do
  eval "value=\$$var"
  case $value in
    '') ;;
    *[!0-9.]* | *.*.* | . | .* | *.) fail "$var ($value) must be a decimal number such as 1 or 0.5" ;;
  esac
done

# ECS stops a task with the image's STOPSIGNAL first (SIGWINCH for httpd), then SIGTERM/SIGKILL
# after the stop timeout. Leave at once between runs; a run in progress ends within its bounds.
stop() {
  note "stop requested, exiting"
  exit 0
}
trap stop TERM INT WINCH

# Runs ab against one target and prints one EMF line. Returns 1 when the run measured nothing: ab
# gave up (a response took longer than LT_REQUEST_TIMEOUT) or no request got an answer; 3 when it
# measured a threshold crossed.
run_target() {
  name=$1
  url=$2
  started_ms="$(date +%s)000"
  # -t comes before -n: -t alone implies 50000 requests, the -n after it sets the real cap, so
  # whichever of count and time limit is reached first ends the run. -s bounds a hung response,
  # so a run never outlives LT_TIME_LIMIT + LT_REQUEST_TIMEOUT. -l: bodies of dynamic pages vary
  # in length, which is not a failure. -r: a reset connection counts as a failed request instead
  # of ending the run. -q: no progress lines.
  output=$(ab -q -l -r -t "$LT_TIME_LIMIT" -n "$LT_REQUESTS" -c "$LT_CONCURRENCY" \
    -s "$LT_REQUEST_TIMEOUT" "$url" 2>&1)
  ab_status=$?
  # awk prints two lines: the EMF record, then a summary for people. Both go out through the
  # shell's own descriptors: a non-root process may not reopen /dev/stderr when the container
  # runtime's root-owned pipe is behind it.
  result=$(printf '%s\n' "$output" | awk \
    -v ab_status="$ab_status" -v timestamp="$started_ms" -v url="$url" \
    -v namespace="$LT_NAMESPACE" -v tester_dim="$LT_TESTER_DIMENSION" -v target_dim="$LT_TARGET_DIMENSION" \
    -v tester="$LT_TESTER" -v target="$name" \
    -v m_rps="$LT_METRIC_RPS" -v m_p50="$LT_METRIC_P50" -v m_p90="$LT_METRIC_P90" -v m_p99="$LT_METRIC_P99" \
    -v m_completed="$LT_METRIC_COMPLETED" -v m_failed="$LT_METRIC_FAILED" -v m_non2xx="$LT_METRIC_NON2XX" \
    -v m_failed_runs="$LT_METRIC_FAILED_RUNS" \
    -v max_error="$LT_MAX_ERROR_PERCENT" -v max_p99="$LT_MAX_P99_MS" '
    function clean(s) { gsub(/["\\]/, "", s); return s }
    function add(metric, unit, value) {
      defs = defs (defs == "" ? "" : ",") "{\"Name\":\"" metric "\",\"Unit\":\"" unit "\"}"
      values = values ",\"" metric "\":" value
    }
    /^Complete requests:/ { completed = $3 }
    /^Failed requests:/ { failed = $3 }
    /^Non-2xx responses:/ { non2xx = $3 }
    /^Requests per second:/ { rps = $4 }
    $1 == "50%" { p50 = $2 }
    $1 == "90%" { p90 = $2 }
    $1 == "99%" { p99 = $2 }
    { last = $0 }
    END {
      # With -r, ab finishes even when nothing answers, counting every attempt as failed (some
      # twice); such a run measured nothing, so it counts as a failed run without latency figures.
      ok = (ab_status == 0 && completed != "" && failed + 0 < completed + 0)
      if (ok) {
        add(m_rps, "Count/Second", rps + 0)
        add(m_completed, "Count", completed + 0)
        add(m_failed, "Count", failed + 0)
        add(m_non2xx, "Count", non2xx + 0)
        # ab prints the percentile table only when requests completed.
        if (p50 != "" && p90 != "" && p99 != "") {
          add(m_p50, "Milliseconds", p50 + 0)
          add(m_p90, "Milliseconds", p90 + 0)
          add(m_p99, "Milliseconds", p99 + 0)
        }
      }
      add(m_failed_runs, "Count", ok ? 0 : 1)
      printf "{\"_aws\":{\"Timestamp\":%s,\"CloudWatchMetrics\":[{\"Namespace\":\"%s\",\"Dimensions\":[[\"%s\",\"%s\"]],\"Metrics\":[%s]}]},\"%s\":\"%s\",\"%s\":\"%s\",\"Url\":\"%s\"%s}\n", \
        timestamp, clean(namespace), clean(tester_dim), clean(target_dim), defs, \
        clean(tester_dim), clean(tester), clean(target_dim), clean(target), clean(url), values
      breached = ""
      if (ok) {
        # A request can count as failed and non-2xx at once: never more errors than requests.
        errors = failed + non2xx
        if (errors > completed + 0) errors = completed + 0
        error_percent = 100 * errors / completed
        if (max_error != "" && error_percent > max_error + 0) {
          breached = sprintf("error rate %.2f %% is above %s %%", error_percent, max_error)
        }
        if (max_p99 != "" && (p99 == "" || p99 + 0 > max_p99 + 0)) {
          breached = breached (breached == "" ? "" : ", ") sprintf("p99 %s ms is above %s ms", (p99 == "" ? "(not measured)" : p99), max_p99)
        }
        printf "load-tester: %s: %d requests, %d failed, %d non-2xx, %s requests/s, p50 %s ms, p90 %s ms, p99 %s ms%s\n", \
          target, completed, failed, non2xx, rps, p50, p90, p99, (breached == "" ? "" : "; threshold crossed: " breached)
      } else if (ab_status != 0) {
        printf "load-tester: %s: the run failed (ab exit status %s): %s\n", target, ab_status, last
      } else {
        printf "load-tester: %s: the run failed: no request got an answer (%d failed)\n", target, failed
      }
      exit (!ok ? 1 : breached != "" ? 3 : 0)
    }')
  run_status=$?
  printf '%s\n' "${result%%"$NL"*}"
  printf '%s\n' "${result#*"$NL"}" >&2
  return $run_status
}

# One run per target. Returns 1 when any run measured nothing, else 3 when any run crossed a
# threshold, else 0.
round() {
  failed_runs=0
  breaches=0
  for pair in $LT_TARGETS; do
    case $pair in
      *=*) ;;
      *) fail "LT_TARGETS entry '$pair' is not name=url" ;;
    esac
    run_target "${pair%%=*}" "${pair#*=}"
    case $? in
      0) ;;
      3) breaches=$((breaches + 1)) ;;
      *) failed_runs=$((failed_runs + 1)) ;;
    esac
  done
  if [ "$failed_runs" -gt 0 ]; then
    return 1
  fi
  if [ "$breaches" -gt 0 ]; then
    return 3
  fi
  return 0
}

note "mode $LT_MODE, $LT_REQUESTS requests, concurrency $LT_CONCURRENCY, at most ${LT_TIME_LIMIT}s per target and run"
if [ "$LT_MODE" = once ]; then
  round
  exit $?
fi
# Loop mode: an ECS service keeps this task running; setting its desired count to 0 (the
# construct's `enabled: false`) stops it. Each round is bounded like a single run.
while :; do
  round
  # Sleeping in the background lets the stop trap run without waiting for the pause to end.
  sleep "$LT_PAUSE" &
  wait $!
done
