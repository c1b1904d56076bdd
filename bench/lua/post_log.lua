-- POST /logs against prompts drawn at random from BENCH_IDS_FILE, as their owner.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = nil
local headers = nil
local counter = 0

local OUTPUT = "Subject: Meet our autumn single origin. The first cup smells of baked "
  .. "apple and brown sugar; the beans come from a cooperative of forty farms on the "
  .. "slopes above Huila, picked ripe and washed the same day. Expect a medium roast "
  .. "with red apple, cocoa and a clean finish. Brew it as a pour-over: 15 g of coffee, "
  .. "250 g of water just off the boil, three minutes. Order this week and get it "
  .. "roasted on Monday."

function init(args)
  common.seed()
  ids = common.lines(common.env("BENCH_IDS_FILE"))
  headers = common.auth_headers({ ["Content-Type"] = "application/json" })
end

function request()
  counter = counter + 1
  local id = ids[math.random(#ids)]
  local score = math.random(0, 100) / 10
  local body = '{"promptId":"' .. id .. '","output":"' .. OUTPUT .. '","modelUsed":"gpt-4o",'
    .. '"notes":"run ' .. counter .. '","score":' .. string.format("%.1f", score) .. "}"
  return wrk.format("POST", "/logs", headers, body)
end
