-- wrk script shared by bench/serve_bench.py and tests/test_load.py: cycle through the request
-- paths listed (one per line) in the file $ASSETMAP_WRK_PATHS, and print one summary line:
-- RESULT requests duration_us p50_us p99_us max_us connect_errors read_errors write_errors timeouts status_errors
paths = {}
for line in io.lines(os.getenv("ASSETMAP_WRK_PATHS")) do paths[#paths + 1] = line end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.1f %.1f %.1f %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
