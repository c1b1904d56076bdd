-- One fixed POST: BENCH_PATH with the JSON body read from BENCH_BODY_FILE, as BENCH_TOKEN.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local f = assert(io.open(common.env("BENCH_BODY_FILE"), "r"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.path = common.env("BENCH_PATH")
wrk.headers = common.auth_headers({ ["Content-Type"] = "application/json" })
