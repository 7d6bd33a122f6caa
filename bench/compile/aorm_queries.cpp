// bench/compile/aorm_queries.cpp — 50 different queries through the generated blog models.
// Compile-time benchmark (bench/compile/compile_time.sh): its twin, raw_queries.cpp, runs the
// same queries hand-written on sqlite3. Compiled, never run.
#include "blog/models.hpp"

using blog::Article;

aorm::Task<std::int64_t> run_queries() {
  std::int64_t n = 0;
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.views > 7).order_by(Article::f.id).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.title.contains("t14")).order_by(Article::f.views.desc()).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.status == blog::Article::Status::published && Article::f.views < 21).order_by(Article::f.created_at.desc()).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.rating.isnull() || Article::f.rating > 28.5).order_by(Article::f.title).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.slug.startswith("s35")).order_by(Article::f.slug.desc()).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.views.range(42, 42 + 100)).order_by(Article::f.id).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.title == "x49" || Article::f.slug == "y49").order_by(Article::f.views.desc()).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.views.in({56, 56 + 1, 56 + 2})).order_by(Article::f.created_at.desc()).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(!(Article::f.views >= 63)).order_by(Article::f.title).alist()).size());
  n += static_cast<std::int64_t>((co_await Article::objects.filter(Article::f.body.isnull(false) && Article::f.title != "z70").order_by(Article::f.slug.desc()).alist()).size());
  n += co_await Article::objects.filter(Article::f.views > 77).acount();
  n += co_await Article::objects.filter(Article::f.title.contains("t84")).acount();
  n += co_await Article::objects.filter(Article::f.status == blog::Article::Status::published && Article::f.views < 91).acount();
  n += co_await Article::objects.filter(Article::f.rating.isnull() || Article::f.rating > 98.5).acount();
  n += co_await Article::objects.filter(Article::f.slug.startswith("s105")).acount();
  n += co_await Article::objects.filter(Article::f.views.range(112, 112 + 100)).acount();
  n += co_await Article::objects.filter(Article::f.title == "x119" || Article::f.slug == "y119").acount();
  n += co_await Article::objects.filter(Article::f.views.in({126, 126 + 1, 126 + 2})).acount();
  n += co_await Article::objects.filter(!(Article::f.views >= 133)).acount();
  n += co_await Article::objects.filter(Article::f.body.isnull(false) && Article::f.title != "z140").acount();
  if (auto a = co_await Article::objects.filter(Article::f.views > 147).order_by(Article::f.id).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.title.contains("t154")).order_by(Article::f.views.desc()).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.status == blog::Article::Status::published && Article::f.views < 161).order_by(Article::f.created_at.desc()).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.rating.isnull() || Article::f.rating > 168.5).order_by(Article::f.title).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.slug.startswith("s175")).order_by(Article::f.slug.desc()).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.views.range(182, 182 + 100)).order_by(Article::f.id).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.title == "x189" || Article::f.slug == "y189").order_by(Article::f.views.desc()).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.views.in({196, 196 + 1, 196 + 2})).order_by(Article::f.created_at.desc()).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(!(Article::f.views >= 203)).order_by(Article::f.title).afirst()) n += a->views;
  if (auto a = co_await Article::objects.filter(Article::f.body.isnull(false) && Article::f.title != "z210").order_by(Article::f.slug.desc()).afirst()) n += a->views;
  n += co_await Article::objects.filter(Article::f.views > 217).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.title.contains("t224")).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.status == blog::Article::Status::published && Article::f.views < 231).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.rating.isnull() || Article::f.rating > 238.5).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.slug.startswith("s245")).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.views.range(252, 252 + 100)).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.title == "x259" || Article::f.slug == "y259").aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.views.in({266, 266 + 1, 266 + 2})).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(!(Article::f.views >= 273)).aexists() ? 1 : 0;
  n += co_await Article::objects.filter(Article::f.body.isnull(false) && Article::f.title != "z280").aexists() ? 1 : 0;
  for (const auto& t : co_await Article::objects.filter(Article::f.views > 287).order_by(Article::f.id).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.title.contains("t294")).order_by(Article::f.views.desc()).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.status == blog::Article::Status::published && Article::f.views < 301).order_by(Article::f.created_at.desc()).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.rating.isnull() || Article::f.rating > 308.5).order_by(Article::f.title).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.slug.startswith("s315")).order_by(Article::f.slug.desc()).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.views.range(322, 322 + 100)).order_by(Article::f.id).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.title == "x329" || Article::f.slug == "y329").order_by(Article::f.views.desc()).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.views.in({336, 336 + 1, 336 + 2})).order_by(Article::f.created_at.desc()).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(!(Article::f.views >= 343)).order_by(Article::f.title).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  for (const auto& t : co_await Article::objects.filter(Article::f.body.isnull(false) && Article::f.title != "z350").order_by(Article::f.slug.desc()).values_list(Article::f.title).alist()) n += static_cast<std::int64_t>(t.size());
  co_return n;
}
