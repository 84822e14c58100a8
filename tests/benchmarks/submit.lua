-- wrk script of the submit benchmark: POSTs prepared JSON bodies (one per line of the file given
-- as the first script argument), each thread its own share, so no submission key is sent twice.
-- Prints one JSON line: requests, statuses, socket errors and latency percentiles (microseconds).

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   bodies = {}
   for line in io.lines(args[1]) do
      bodies[#bodies + 1] = line
   end
   local share = math.floor(#bodies / tonumber(args[2]))
   first = id * share
   last = first + share
   next_body = first
   created, duplicate, client_error, server_error, exhausted = 0, 0, 0, 0, 0
end

function request()
   next_body = next_body + 1
   if next_body > last then
      -- out of fresh bodies: resend one (counts as a duplicate, never as a new response)
      exhausted = exhausted + 1
      next_body = first + 1
   end
   return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, bodies[next_body])
end

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   elseif status == 200 then
      duplicate = duplicate + 1
   elseif status >= 500 then
      server_error = server_error + 1
   else
      client_error = client_error + 1
   end
end

function done(summary, latency, requests)
   local totals = { created = 0, duplicate = 0, client_error = 0, server_error = 0, exhausted = 0 }
   for _, thread in ipairs(threads) do
      for key, _ in pairs(totals) do
         totals[key] = totals[key] + thread:get(key)
      end
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "created": %d, "duplicate": %d, "client_error": %d, '
         .. '"server_error": %d, "exhausted": %d, "connect": %d, "read": %d, "write": %d, '
         .. '"timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.requests, summary.duration, totals.created, totals.duplicate, totals.client_error,
      totals.server_error, totals.exhausted, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
