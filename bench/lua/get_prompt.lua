-- GET /prompts/{id} for ids drawn at random from BENCH_IDS_FILE, as the owner of the ids.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = nil
local headers = nil

function init(args)
  common.seed()
  ids = common.lines(common.env("BENCH_IDS_FILE"))
  headers = common.auth_headers()
end

function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/prompts/" .. id, headers)
end
