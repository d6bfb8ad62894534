-- wrk script of bench/state-dir: AddTags on one pipeline ($BENCH_PIPELINE), unsigned
-- (serve --no-auth), keep-alive. Every request is a change, journaled with --state-dir.
-- Prints one machine-readable line at the end.

function init(args)
   local body = string.format(
      '{"pipelineId":"%s","tags":[{"key":"k","value":"v"}]}', os.getenv("BENCH_PIPELINE"))
   wrk.method = "POST"
   wrk.body = body
   wrk.headers["X-Amz-Target"] = "DataPipeline.AddTags"
   wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
end

function done(summary, latency, _)
   io.write(string.format("WRK_RESULT requests=%d duration_us=%d non2xx=%d p50_us=%d p99_us=%d\n",
      summary.requests, summary.duration, summary.errors.status,
      latency:percentile(50), latency:percentile(99)))
end
