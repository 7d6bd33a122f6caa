// The annotated C++ twin of models/blog.yaml (API.md §1b): the same namespace, models,
// fields, options and meta written as structs for aormc's Clang front end. The behaviour
// suite runs against the code generated from it (behaviour_annotated_tests), and
// tests/codegen/parity_test.cpp proves it generates the same code as models/blog.yaml
// (apart from the banner). Change the two together.
#pragma once

#include <aorm/model.hpp>

namespace blog {

struct Author {
  AORM_MODEL(Author);
  AORM_FIELD(max_length = 100) std::string name;
  AORM_FIELD(max_length = 254, unique) std::string email;
};

struct Tag {
  AORM_MODEL(Tag);
  AORM_FIELD(max_length = 50, unique) std::string name;
};

struct Article {
  AORM_MODEL(Article, table = "blog_article", ordering = "-created_at", get_latest_by = created_at,
             indexes = {{status, created_at}}, unique_together = {{author, slug}});

  enum class Status { draft, published, archived };

  AORM_FIELD(max_length = 200) std::string title;
  AORM_FIELD(max_length = 200, unique) std::string slug;
  std::optional<std::string> body;  // text: a string without max_length
  AORM_FIELD(index) Status status = Status::draft;
  std::int64_t views = 0;
  std::optional<double> rating;
  AORM_FIELD(on_delete = cascade, related_name = articles) aorm::ForeignKey<Author> author;
  AORM_FIELD(related_name = articles) aorm::ManyToMany<Article, Tag> tags;
  AORM_FIELD(auto_now_add) aorm::DateTime created_at;
  std::optional<aorm::DateTime> published_at;
};

struct Comment {
  AORM_MODEL(Comment);
  AORM_FIELD(on_delete = cascade, related_name = comments) aorm::ForeignKey<Article> article;
  AORM_FIELD(on_delete = set_null, related_name = comments) aorm::ForeignKey<Author, aorm::nullable> author;
  std::string body;
  bool approved = false;
  AORM_FIELD(auto_now_add) aorm::DateTime created_at;
};

}  // namespace blog
