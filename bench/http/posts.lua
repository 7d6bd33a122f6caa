-- wrk: GET /posts/{id} over the seeded articles (ids 1..ARTICLES, in a fixed pseudo-random order).
local n = tonumber(os.getenv("ARTICLES") or "1000")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/posts/" .. tostring((i * 7919) % n + 1))
end
