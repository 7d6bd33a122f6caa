-- wrk: GET /articles?page=N&page_size=20 over the pages of the seeded published articles.
local pages = tonumber(os.getenv("PAGES") or "30")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/articles?page=" .. tostring(i % pages + 1) .. "&page_size=20")
end
