-- wrk script: POST one report per request, each with a unique URL and client id, so that
-- every request stores a new report (no duplicates, no idempotent replays).
-- Usage: wrk -t2 -c64 -d10s -s post_reports.lua http://127.0.0.1:8080 -- TOKEN[,TOKEN...] [BATCH [RATE CONNECTIONS]]
-- With several tokens (comma-separated) wrk's threads take them in turn, as several reporters.
-- With BATCH > 1 each request is {"reports": [...]} of BATCH new reports. RATE and
-- CONNECTIONS are for paced_delay.lua, which run.sh appends when RATE is set.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local tokens = {}
  for t in string.gmatch(args[1], "[^,]+") do table.insert(tokens, t) end
  token = tokens[(id % #tokens) + 1]
  batch = tonumber(args[2] or "1")
  rate = tonumber(args[3] or "0")
  connections = tonumber(args[4] or "64")
  math.randomseed(os.time() + id)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

local function report()
  counter = counter + 1
  local key = id .. "-" .. counter
  return '{"id":"load-' .. key .. '","url":"https://load' .. (counter % 997) .. '.example.test/item/' .. key .. '.jpg","source":{"type":"crawler","name":"wrk"}}'
end

function request()
  if batch <= 1 then
    return wrk.format(nil, "/v1/reports", nil, report())
  end
  local items = {}
  for i = 1, batch do items[i] = report() end
  return wrk.format(nil, "/v1/reports", nil, '{"reports":[' .. table.concat(items, ",") .. ']}')
end

function response(status, headers, body)
  if status ~= 201 and status ~= 202 and status ~= 200 then
    errors = (errors or 0) + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors %d (non-2xx %d), p50 %.2f ms, p99 %.2f ms, %.0f requests/s\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1000000)))
end
