// Mistakes in AORM_MODEL and AORM_FIELD.
#pragma once

#include <aorm/model.hpp>

namespace shop {

struct Note {  // not a model: AORM_FIELD here is a forgotten AORM_MODEL
  AORM_FIELD(max_length = 10) std::string text;
};

struct Plain {  // not a model, no annotations: ignored
  int x = 0;
  void f();
};

struct Tag {
  AORM_MODEL(Tag, tble = "t", ordering = {name, "-id"});
  AORM_FIELD(max_lenght = 20) std::string name;
  AORM_FIELD(null) std::optional<std::string> label;
  AORM_FIELD(default = 3) std::int64_t weight;
  AORM_FIELD(index, index) std::int64_t rank;
  AORM_FIELD(unique = 3) std::int64_t code;
  AORM_FIELD(max_length = "x") std::string title;
  AORM_FIELD(db_column = ) std::string broken;
};

struct Item {
  AORM_MODEL(Tag, indexes = {name});
  AORM_FIELD(max_length = 20) std::string name;
  int count() const;
};

}  // namespace shop
