#include "frontend/yaml/parse.hpp"
#include "frontend/yaml/entries.hpp"

#include <charconv>
#include <map>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace aormc::yaml {

namespace {

using diag::Location;
using ir::Spanned;

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

constexpr std::string_view kRootKeys[] = {"namespace", "models"};
constexpr std::string_view kModelKeys[] = {"fields", "meta", "renamed_from"};
constexpr std::string_view kMetaKeys[] = {"table", "ordering", "get_latest_by", "indexes",
                                          "unique_together"};

class Parser {
 public:
  Parser(std::string_view text, const std::string& file, diag::Diagnostics& diags)
      : text_(text), file_(file), diags_(diags) {}

  // The spec, or nullopt when the document is not a map at all (then nothing else is
  // worth reporting: no 'namespace', no 'models').
  // One model (`Name: { fields: ..., meta: ... }`) or one field (`name: { type: ... }`) as
  // written inside another document (a migration file's operations).
  ir::ModelSpec model_entry(const std::string& name, const YAML::Node& k, const YAML::Node& v) {
    return model(name, k, v);
  }
  ir::FieldSpec field_entry(const std::string& name, const YAML::Node& k, const YAML::Node& v) {
    return field(name, k, v);
  }

  std::optional<ir::ModelSetSpec> root(const YAML::Node& doc) {
    ir::ModelSetSpec spec;
    spec.file = file_;
    if (!doc.IsMap()) {
      std::string what = doc.IsSequence() ? "a list" : doc.IsScalar() ? "a single value" : "empty";
      error(doc.IsNull() ? start() : at(doc),
            "a model file is a map with 'namespace' and 'models' (this one is " + what + ")");
      return std::nullopt;
    }
    entries(doc, "key", [&](const std::string& key, const YAML::Node& k, const YAML::Node& v) {
      if (key == "namespace") {
        if (auto s = string_value(v, "namespace")) spec.ns = *s;
      } else if (key == "models") {
        if (!v.IsMap()) {
          error(at(v), "'models' must be a map of model names to models");
          return;
        }
        entries(v, "model", [&](const std::string& name, const YAML::Node& nk, const YAML::Node& nv) {
          spec.models.push_back(model(name, nk, nv));
        });
      } else {
        error(at(k), "unknown key " + quoted(key) + diag::did_you_mean(key, kRootKeys));
      }
    });
    if (spec.ns.where.line == 0) spec.ns.where = start();  // no 'namespace': the file's start
    return spec;
  }

 private:
  Location start() const { return Location{file_, 1, 1}; }

  // Where `n` is written. An empty value (`type:` with nothing after it) has no position of
  // its own, or yaml-cpp gives it the next token's; it is reported at its key.
  Location at(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    if (m.line < 0 || (n.IsNull() && !written_null(m))) return keys_.empty() ? start() : keys_.back();
    return Location{file_, m.line + 1, m.column + 1};
  }

  // Whether a null node at `m` was spelt (`~`, `null`) rather than left empty.
  bool written_null(const YAML::Mark& m) const {
    if (m.pos < 0 || static_cast<std::size_t>(m.pos) >= text_.size()) return false;
    const std::string_view rest = text_.substr(static_cast<std::size_t>(m.pos));
    for (std::string_view spelling : {"~", "null", "Null", "NULL"})
      if (rest.starts_with(spelling)) return true;
    return false;
  }

  void error(Location where, std::string message, std::vector<diag::Note> notes = {}) {
    diags_.error(std::move(where), std::move(message), std::move(notes));
  }

  // Calls f(key, key node, value node) for each entry of `map` in document order. A key
  // that repeats an earlier one is reported ("duplicate <what> 'x'") and skipped.
  template <class F>
  void entries(const YAML::Node& map, std::string_view what, F&& f) {
    std::map<std::string, Location> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      // A copy, not a reference: `it->first` lives in a proxy that dies with the expression
      // (a dangling reference here reads garbage once optimised).
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      // yaml-cpp reads the key `null` (as in `null: true`) as a null node.
      if (!k.IsScalar() && !k.IsNull()) {
        error(at(k), std::string(what) + " names must be plain words");
        continue;
      }
      const std::string key = k.IsNull() ? "null" : k.Scalar();
      auto [first, inserted] = seen.emplace(key, at(k));
      if (!inserted) {
        error(at(k), "duplicate " + std::string(what) + " " + quoted(key),
              {{first->second, quoted(key) + " first defined here"}});
        continue;
      }
      keys_.push_back(at(k));  // where an empty value of this key is reported
      f(key, k, v);
      keys_.pop_back();
    }
  }

  std::optional<Spanned<std::string>> string_value(const YAML::Node& v, std::string_view option) {
    if (!v.IsScalar()) {
      error(at(v), quoted(option) + " must be a single word or string");
      return std::nullopt;
    }
    return Spanned<std::string>{v.Scalar(), at(v)};
  }

  std::optional<Spanned<bool>> bool_value(const YAML::Node& v, std::string_view option) {
    if (v.IsScalar() && v.Tag() != "!") {
      const std::string& s = v.Scalar();
      if (s == "true" || s == "True" || s == "TRUE") return Spanned<bool>{true, at(v)};
      if (s == "false" || s == "False" || s == "FALSE") return Spanned<bool>{false, at(v)};
    }
    error(at(v), quoted(option) + " must be true or false");
    return std::nullopt;
  }

  std::optional<Spanned<int>> int_value(const YAML::Node& v, std::string_view option) {
    if (v.IsScalar() && v.Tag() != "!") {
      const std::string& s = v.Scalar();
      int value = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
      if (ec == std::errc{} && end == s.data() + s.size()) return Spanned<int>{value, at(v)};
    }
    error(at(v), quoted(option) + " must be an integer");
    return std::nullopt;
  }

  // A list of names: `[a, b]`. With `allow_single`, a lone word is a list of one.
  std::optional<ir::NameList> name_list(const YAML::Node& v, std::string_view what,
                                        bool allow_single) {
    ir::NameList list{{}, at(v)};
    if (allow_single && v.IsScalar()) {
      list.value.push_back({v.Scalar(), at(v)});
      return list;
    }
    if (!v.IsSequence()) {
      error(at(v), std::string(what) + " must be a list, like [a, b]");
      return std::nullopt;
    }
    for (const YAML::Node& item : v) {
      if (!item.IsScalar()) {
        error(at(item), "each entry of " + std::string(what) + " must be a single word or string");
        return std::nullopt;
      }
      list.value.push_back({item.Scalar(), at(item)});
    }
    return list;
  }

  ir::ModelSpec model(const std::string& name, const YAML::Node& k, const YAML::Node& v) {
    ir::ModelSpec spec;
    spec.name = {name, at(k)};
    if (!v.IsMap()) {
      error(at(v.IsNull() ? k : v), "model " + quoted(name) + " must be a map with 'fields' (and 'meta')");
      return spec;
    }
    entries(v, "key", [&](const std::string& key, const YAML::Node& kk, const YAML::Node& vv) {
      if (key == "fields") {
        if (!vv.IsMap()) {
          error(at(vv.IsNull() ? kk : vv), "'fields' of model " + quoted(name) + " must be a map of field names to options");
          return;
        }
        entries(vv, "field", [&](const std::string& fname, const YAML::Node& fk, const YAML::Node& fv) {
          spec.fields.push_back(field(fname, fk, fv));
        });
      } else if (key == "meta") {
        if (!vv.IsMap()) {
          error(at(vv.IsNull() ? kk : vv), "'meta' of model " + quoted(name) + " must be a map");
          return;
        }
        spec.meta = meta(vv);
      } else if (key == "renamed_from") {
        spec.renamed_from = string_value(vv, "renamed_from");
      } else {
        error(at(kk), "unknown key " + quoted(key) + " in model " + quoted(name) +
                          diag::did_you_mean(key, kModelKeys));
      }
    });
    return spec;
  }

  ir::MetaSpec meta(const YAML::Node& v) {
    ir::MetaSpec spec;
    entries(v, "meta option", [&](const std::string& key, const YAML::Node& k, const YAML::Node& val) {
      if (key == "table") {
        spec.table = string_value(val, "table");
      } else if (key == "get_latest_by") {
        spec.get_latest_by = string_value(val, "get_latest_by");
      } else if (key == "ordering") {
        spec.ordering = name_list(val, "meta.ordering", true);
      } else if (key == "indexes" || key == "unique_together") {
        auto& out = key == "indexes" ? spec.indexes : spec.unique_together;
        const std::string what = "meta." + key;
        if (!val.IsSequence()) {
          error(at(val), what + " must be a list of field lists, like [[a, b]]");
          return;
        }
        for (const YAML::Node& item : val) {
          if (!item.IsSequence()) {
            error(at(item), "each entry of " + what + " must be a list of fields, like [a, b]");
            continue;
          }
          if (auto list = name_list(item, what, false)) out.push_back(std::move(*list));
        }
      } else {
        error(at(k), "unknown meta option " + quoted(key) + diag::did_you_mean(key, kMetaKeys));
      }
    });
    return spec;
  }

  ir::FieldSpec field(const std::string& name, const YAML::Node& k, const YAML::Node& v) {
    ir::FieldSpec spec;
    spec.name = {name, at(k)};
    if (!v.IsMap()) {
      error(at(v.IsNull() ? k : v), "field " + quoted(name) + " must be a map of options, like { type: string, max_length: 100 }");
      spec.broken = true;
      return spec;
    }
    const std::size_t errors_before = diags_.error_count();
    entries(v, "option", [&](const std::string& key, const YAML::Node& ok, const YAML::Node& ov) {
      if (key == "type") spec.type = string_value(ov, key);
      else if (key == "null") spec.null = bool_value(ov, key);
      else if (key == "unique") spec.unique = bool_value(ov, key);
      else if (key == "index") spec.index = bool_value(ov, key);
      else if (key == "primary_key") spec.primary_key = bool_value(ov, key);
      else if (key == "auto_now") spec.auto_now = bool_value(ov, key);
      else if (key == "auto_now_add") spec.auto_now_add = bool_value(ov, key);
      else if (key == "max_length") spec.max_length = int_value(ov, key);
      else if (key == "max_digits") spec.max_digits = int_value(ov, key);
      else if (key == "decimal_places") spec.decimal_places = int_value(ov, key);
      else if (key == "db_column") spec.db_column = string_value(ov, key);
      else if (key == "to") spec.to = string_value(ov, key);
      else if (key == "on_delete") spec.on_delete = string_value(ov, key);
      else if (key == "related_name") spec.related_name = string_value(ov, key);
      else if (key == "db_table") spec.db_table = string_value(ov, key);
      else if (key == "through") spec.through = string_value(ov, key);
      else if (key == "renamed_from") spec.renamed_from = string_value(ov, key);
      else if (key == "choices") spec.choices = name_list(ov, "choices", false);
      else if (key == "default") {
        if (ov.IsNull()) {
          spec.default_value = ir::Scalar{"null", false, true, at(ov.Mark().line < 0 ? ok : ov)};
        } else if (ov.IsScalar()) {
          spec.default_value = ir::Scalar{ov.Scalar(), ov.Tag() == "!", false, at(ov)};
        } else {
          error(at(ov), "default of field " + quoted(name) + " must be a single value");
        }
      } else {
        error(at(ok), "unknown option " + quoted(key) + " in field " + quoted(name) +
                          diag::did_you_mean(key, ir::kFieldOptions));
      }
    });
    // An unknown or malformed option: the field is reported once, not again for what the
    // option would have changed.
    spec.broken = diags_.error_count() != errors_before;
    return spec;
  }

  std::string_view text_;
  const std::string& file_;
  diag::Diagnostics& diags_;
  std::vector<Location> keys_;  // the keys of the entries being read, innermost last
};

}  // namespace

std::optional<ir::ModelSetSpec> parse(std::string_view text, const std::string& file,
                                      diag::Diagnostics& diags) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    // yaml-cpp's depth guard (YAML::DeepRecursion, whose type the shared library does not
    // export) is the one parser error that says "bad file".
    const bool too_deep = e.msg == YAML::ErrorMsg::BAD_FILE;
    const Location where = e.mark.line < 0 ? Location{file, 1, 1} : Location{file, e.mark.line + 1, e.mark.column + 1};
    diags.error(where, too_deep ? "invalid YAML: lists and maps are nested too deeply"
                                : "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  return Parser(text, file, diags).root(doc);
}

ir::ModelSpec parse_model(const YAML::Node& key, const YAML::Node& value, std::string_view text,
                          const std::string& file, diag::Diagnostics& diags) {
  return Parser(text, file, diags).model_entry(key.Scalar(), key, value);
}

ir::FieldSpec parse_field(const YAML::Node& key, const YAML::Node& value, std::string_view text,
                          const std::string& file, diag::Diagnostics& diags) {
  return Parser(text, file, diags).field_entry(key.Scalar(), key, value);
}

}  // namespace aormc::yaml
