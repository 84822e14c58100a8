-- wrk script of the GET benchmarks: counts answers by status and prints one JSON line in the
-- shape of submit.lua's (a 200 counts as `created`).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   ok, client_error, server_error = 0, 0, 0
end

function response(status, headers, body)
   if status == 200 or status == 304 then
      ok = ok + 1
   elseif status >= 500 then
      server_error = server_error + 1
   else
      client_error = client_error + 1
   end
end

function done(summary, latency, requests)
   local totals = { ok = 0, client_error = 0, server_error = 0 }
   for _, thread in ipairs(threads) do
      for key, _ in pairs(totals) do
         totals[key] = totals[key] + thread:get(key)
      end
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "created": %d, "duplicate": 0, "client_error": %d, '
         .. '"server_error": %d, "exhausted": 0, "connect": %d, "read": %d, "write": %d, '
         .. '"timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.requests, summary.duration, totals.ok, totals.client_error, totals.server_error,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
