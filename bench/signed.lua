-- wrk script of bench/run (figure c and the memory figure): sends, in turn, the
-- pre-signed requests that bench-sign wrote to $BENCH_REQUESTS (keep-alive, one
-- request in flight per connection). Prints one machine-readable line at the end.

local requests = {}
local index = 0

function init(args)
   local specs = dofile(os.getenv("BENCH_REQUESTS"))
   for i, r in ipairs(specs) do
      requests[i] = wrk.format(r.method, r.path, r.headers, r.body)
   end
end

function request()
   index = index % #requests + 1
   return requests[index]
end

function done(summary, latency, _)
   local e = summary.errors
   io.write(string.format(
      "WRK_RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99)))
end
