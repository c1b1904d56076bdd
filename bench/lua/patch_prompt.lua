-- PATCH /prompts/{id} for ids drawn at random from BENCH_IDS_FILE, each request with content
-- no earlier request sent (thread number and counter in the text), so that every PATCH
-- changes the prompt and, where the server keeps versions, makes one.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ids = nil
local headers = nil
local counter = 0

local TEXT = "Write a launch email for a seasonal single-origin coffee. Open with one sensory "
  .. "sentence, then three short paragraphs: origin, taste, and how to brew it at home. "
  .. "Keep it under 180 words in a warm, plain voice. Revision "

function init(args)
  common.seed()
  ids = common.lines(common.env("BENCH_IDS_FILE"))
  headers = common.auth_headers({ ["Content-Type"] = "application/json" })
end

function request()
  counter = counter + 1
  local id = ids[math.random(#ids)]
  local body = '{"content":"' .. TEXT .. (thread_no or 0) .. "-" .. counter .. '."}'
  return wrk.format("PATCH", "/prompts/" .. id, headers, body)
end
