-- wrk: POST /articles with a new slug per request (a per-run prefix keeps runs apart).
local prefix = os.getenv("SLUG_PREFIX") or tostring(os.time())
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  local slug = prefix .. "-" .. tostring(i)
  local body = '{"title": "Benchmarked ' .. slug .. '", "slug": "' .. slug .. '", "body": "text", "author_id": 1}'
  return wrk.format(nil, "/articles", nil, body)
end
