-- GET /search with queries taken in a random order from BENCH_QUERIES_FILE, one
-- URL-encoded request path per line (for example /search?q=vomire).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local paths = nil
local headers = nil

function init(args)
  common.seed()
  paths = common.lines(common.env("BENCH_QUERIES_FILE"))
  headers = common.auth_headers()
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
