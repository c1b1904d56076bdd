-- Shared helpers for the PromptCrafter wrk scripts. Every script loads this file with
-- dofile(), so it runs once in each wrk Lua state (the main one and one per thread).

common = {}

-- Read a required environment variable.
function common.env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("environment variable " .. name .. " is not set")
  end
  return value
end

-- Request headers carrying the BENCH_TOKEN bearer token, plus any given in extra.
function common.auth_headers(extra)
  local headers = { ["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN") }
  for name, value in pairs(extra or {}) do
    headers[name] = value
  end
  return headers
end

-- Read a file into a list of its non-empty lines.
function common.lines(path)
  local list = {}
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if line ~= "" then
      list[#list + 1] = line
    end
  end
  f:close()
  if #list == 0 then
    error("no lines in " .. path)
  end
  return list
end

-- Give each thread its own seed so that threads do not replay the same sequence.
local thread_counter = 0
function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_no", thread_counter)
end

function common.seed()
  local no = thread_no or 0
  math.randomseed(os.time() * 1000 + no * 7919)
end

-- One machine-readable line at the end of a run. Latencies are in microseconds.
function done(summary, latency, requests)
  local e = summary.errors
  local parts = {
    string.format('"requests":%d', summary.requests),
    string.format('"duration_us":%d', summary.duration),
    string.format('"bytes":%d', summary.bytes),
    string.format('"err_connect":%d', e.connect),
    string.format('"err_read":%d', e.read),
    string.format('"err_write":%d', e.write),
    string.format('"err_status":%d', e.status),
    string.format('"err_timeout":%d', e.timeout),
    string.format('"lat_mean":%.1f', latency.mean),
    string.format('"lat_max":%d', latency.max),
  }
  for _, p in ipairs({50, 75, 90, 95, 99}) do
    parts[#parts + 1] = string.format('"p%d":%d', p, latency:percentile(p))
  end
  io.write("BENCH-SUMMARY {" .. table.concat(parts, ",") .. "}\n")
end
