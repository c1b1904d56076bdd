-- POST /logs like post_log.lua, against the prompt ids in BENCH_IDS_FILE, counting every
-- answer by status class in each thread; done() adds a BENCH-STATUS line with the totals, so
-- the harness knows how many logs were acknowledged (201) and how many answers were 5xx.
-- response() costs wrk some speed, so compare runs of this script only with each other.
dofile(os.getenv("BENCH_LUA_DIR") .. "/post_log.lua")

local threads = {}
local base_setup = setup
function setup(thread)
  base_setup(thread)
  threads[#threads + 1] = thread
end

acked, s2xx, s4xx, s5xx, other = 0, 0, 0, 0, 0

function response(status, headers, body)
  if status == 201 then
    acked = acked + 1
  end
  if status >= 500 then
    s5xx = s5xx + 1
  elseif status >= 400 then
    s4xx = s4xx + 1
  elseif status >= 200 and status < 300 then
    s2xx = s2xx + 1
  else
    other = other + 1
  end
end

local base_done = done
function done(summary, latency, requests)
  base_done(summary, latency, requests)
  local totals = { acked = 0, s2xx = 0, s4xx = 0, s5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  io.write(string.format(
    'BENCH-STATUS {"acked":%d,"2xx":%d,"4xx":%d,"5xx":%d,"other":%d}\n',
    totals.acked, totals.s2xx, totals.s4xx, totals.s5xx, totals.other))
end
