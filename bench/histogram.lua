-- wrk's report for bench/run.py: the request and error counts, then every latency seen (in
-- microseconds) with how often, written to the file WRK_OUT names.
done = function(summary, latency, requests)
  local out = io.open(os.getenv("WRK_OUT"), "w")
  local e = summary.errors
  out:write(summary.requests, " ", e.connect, " ", e.read, " ", e.write, " ", e.status, " ", e.timeout, "\n")
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(string.format("%d %d\n", value, count))
  end
  out:close()
end
