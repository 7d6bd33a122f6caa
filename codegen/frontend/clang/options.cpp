#include "frontend/clang/options.hpp"

#include <cctype>
#include <exception>
#include <map>
#include <span>

namespace aormc::annotated {

namespace {

using ir::Spanned;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

bool is_word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// A recursive-descent reader over the option text. Every method reports its own error and
// returns nullopt; the first error ends the parse (later errors would be noise).
class Reader {
 public:
  Reader(std::string_view text, const Locator& locate, diag::Diagnostics& diags)
      : text_(text), locate_(locate), diags_(diags) {}

  std::optional<std::vector<Option>> options() {
    std::vector<Option> out;
    skip_space();
    if (at_end_of_list()) return out;
    while (true) {
      std::optional<Option> option = this->option();
      if (!option) return std::nullopt;
      out.push_back(std::move(*option));
      skip_space();
      if (at_end_of_list()) return out;
      if (!expect(',', "',' or ')' after an option")) return std::nullopt;
      skip_space();
    }
  }

 private:
  bool at_end_of_list() const { return pos_ >= text_.size() || text_[pos_] == ')'; }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
        pos_ += 2;
      } else if (text_.substr(pos_, 2) == "//") {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (text_.substr(pos_, 2) == "/*") {
        const std::size_t end = text_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  bool error(std::string message) {
    diags_.error(locate_(pos_), std::move(message));
    return false;
  }

  bool expect(char c, std::string_view what) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return error("expected " + std::string(what) + (pos_ < text_.size() ? " here" : ""));
  }

  std::string word() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::optional<Option> option() {
    if (pos_ >= text_.size() || !is_word_start(text_[pos_])) {
      error("expected an option name");
      return std::nullopt;
    }
    Option out;
    out.name.where = locate_(pos_);
    out.name.value = word();
    out.value.where = out.name.where;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '=') {
      ++pos_;
      skip_space();
      std::optional<OptionValue> v = value();
      if (!v) return std::nullopt;
      out.value = std::move(*v);
    }
    return out;
  }

  std::optional<OptionValue> value() {
    OptionValue v;
    v.where = locate_(pos_);
    if (pos_ >= text_.size() || text_[pos_] == ')' || text_[pos_] == ',') {
      error("expected a value after '='");
      return std::nullopt;
    }
    const char c = text_[pos_];
    if (is_word_start(c)) {
      v.kind = OptionValue::Kind::word;
      v.text = word();
    } else if (c == '-' && pos_ + 1 < text_.size() && is_word_start(text_[pos_ + 1])) {
      ++pos_;  // `-published`: a descending ordering term
      v.kind = OptionValue::Kind::word;
      v.text = "-" + word();
    } else if (is_digit(c) || (c == '-' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) {
      const std::size_t start = pos_++;
      while (pos_ < text_.size() && is_word_char(text_[pos_])) ++pos_;
      v.kind = OptionValue::Kind::integer;
      v.text = std::string(text_.substr(start, pos_ - start));
    } else if (c == '"') {
      v.kind = OptionValue::Kind::string;
      if (!string_literal(v.text)) return std::nullopt;
    } else if (c == '{') {
      v.kind = OptionValue::Kind::list;
      ++pos_;
      skip_space();
      while (pos_ < text_.size() && text_[pos_] != '}') {
        std::optional<OptionValue> item = value();
        if (!item) return std::nullopt;
        v.items.push_back(std::move(*item));
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          skip_space();
        } else if (pos_ >= text_.size() || text_[pos_] != '}') {
          error("expected ',' or '}' in a list");
          return std::nullopt;
        }
      }
      if (!expect('}', "'}'")) return std::nullopt;
    } else {
      error("expected a name, a number, a string or a {list}");
      return std::nullopt;
    }
    return v;
  }

  // A "..." literal with the simple escapes; adjacent literals are joined like C++ does.
  bool string_literal(std::string& out) {
    while (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        if (pos_ >= text_.size() || text_[pos_] == '\n') return error("unterminated string");
        char c = text_[pos_++];
        if (c == '"') break;
        if (c == '\\' && pos_ < text_.size()) {
          c = text_[pos_++];
          if (c == 'n') c = '\n';
          else if (c == 't') c = '\t';
          else if (c != '"' && c != '\\' && c != '\'') {
            --pos_;
            return error("unsupported escape in a string");
          }
        }
        out += c;
      }
      skip_space();
    }
    return true;
  }

  std::string_view text_;
  const Locator& locate_;
  diag::Diagnostics& diags_;
  std::size_t pos_ = 0;
};

// Options whose value comes from the C++ declaration, not from AORM_FIELD: the fix for each.
constexpr std::pair<std::string_view, std::string_view> kFromDeclaration[] = {
    {"null", "a field is nullable when its type is std::optional<T> (a foreign key: "
             "aorm::ForeignKey<T, aorm::nullable>)"},
    {"default", "write the default as the member's initializer: 'std::int64_t views = 0;'"},
    {"choices", "declare a nested 'enum class' and make it the member's type"},
    {"to", "the target comes from the type: aorm::ForeignKey<T> or aorm::ManyToMany<Model, T>"},
    {"type", "the field type comes from the member's C++ type"},
};

constexpr std::string_view kFieldFlags[] = {"primary_key", "unique", "index", "auto_now",
                                            "auto_now_add", "one_to_one"};
constexpr std::string_view kFieldIntegers[] = {"max_length", "max_digits", "decimal_places"};
constexpr std::string_view kFieldNames[] = {"db_column", "on_delete", "related_name", "db_table",
                                            "through", "renamed_from"};
constexpr std::string_view kModelOptions[] = {"table", "ordering", "get_latest_by", "indexes",
                                              "unique_together"};

template <std::size_t N>
bool one_of(std::string_view word, const std::string_view (&list)[N]) {
  for (std::string_view w : list)
    if (w == word) return true;
  return false;
}

std::vector<std::string_view> field_option_names() {
  std::vector<std::string_view> out;
  for (auto list : {std::span<const std::string_view>(kFieldFlags),
                    std::span<const std::string_view>(kFieldIntegers),
                    std::span<const std::string_view>(kFieldNames)})
    out.insert(out.end(), list.begin(), list.end());
  return out;
}

// Checks shapes and converts values; every method reports and returns nullopt on a mismatch.
class Applier {
 public:
  explicit Applier(diag::Diagnostics& diags) : diags_(diags), errors_before_(diags.error_count()) {}

  bool ok() const { return diags_.error_count() == errors_before_; }

  // False (and an error with a note) when `option` was already given.
  bool first_time(const Option& option) {
    auto [it, inserted] = seen_.emplace(option.name.value, option.name.where);
    if (!inserted)
      diags_.error(option.name.where, "duplicate option " + in_quotes(option.name.value),
                   {{it->second, in_quotes(option.name.value) + " first given here"}});
    return inserted;
  }

  std::optional<Spanned<bool>> flag(const Option& o) {
    const OptionValue& v = o.value;
    if (v.kind == OptionValue::Kind::flag) return Spanned<bool>{true, o.name.where};
    if (v.kind == OptionValue::Kind::word && (v.text == "true" || v.text == "false"))
      return Spanned<bool>{v.text == "true", v.where};
    error(v.where, in_quotes(o.name.value) + " is a flag: write '" + o.name.value + "' or '" +
                       o.name.value + " = false'");
    return std::nullopt;
  }

  std::optional<Spanned<int>> integer(const Option& o) {
    const OptionValue& v = o.value;
    if (v.kind == OptionValue::Kind::integer) {
      try {
        std::size_t used = 0;
        const int value = std::stoi(v.text, &used);
        if (used == v.text.size()) return Spanned<int>{value, v.where};
      } catch (const std::exception&) {
      }
    }
    error(v.kind == OptionValue::Kind::flag ? o.name.where : v.where,
          in_quotes(o.name.value) + " needs an integer: '" + o.name.value + " = 100'");
    return std::nullopt;
  }

  // A word or a string: `on_delete = cascade`, `related_name = "+"`.
  std::optional<Spanned<std::string>> name(const Option& o, const OptionValue& v) {
    if (v.kind == OptionValue::Kind::word || v.kind == OptionValue::Kind::string)
      return Spanned<std::string>{v.text, v.where};
    error(v.kind == OptionValue::Kind::flag ? o.name.where : v.where,
          in_quotes(o.name.value) + " needs a name or a string: '" + o.name.value + " = name'");
    return std::nullopt;
  }

  // `a` or `{a, b}` (when `allow_single`) as a list of names.
  std::optional<ir::NameList> names(const Option& o, const OptionValue& v, bool allow_single) {
    ir::NameList list{{}, v.where};
    if (allow_single && v.kind != OptionValue::Kind::list) {
      std::optional<Spanned<std::string>> one = name(o, v);
      if (!one) return std::nullopt;
      list.value.push_back(std::move(*one));
      return list;
    }
    if (v.kind != OptionValue::Kind::list) {
      error(v.kind == OptionValue::Kind::flag ? o.name.where : v.where,
            in_quotes(o.name.value) + " needs a list of field names: {a, b}");
      return std::nullopt;
    }
    for (const OptionValue& item : v.items) {
      std::optional<Spanned<std::string>> one = name(o, item);
      if (!one) return std::nullopt;
      list.value.push_back(std::move(*one));
    }
    return list;
  }

  // `{{a, b}, {c}}`: a list of field lists.
  std::optional<std::vector<ir::NameList>> lists(const Option& o) {
    const OptionValue& v = o.value;
    if (v.kind != OptionValue::Kind::list) {
      error(v.kind == OptionValue::Kind::flag ? o.name.where : v.where,
            in_quotes(o.name.value) + " needs a list of field lists: {{a, b}, {c}}");
      return std::nullopt;
    }
    std::vector<ir::NameList> out;
    for (const OptionValue& item : v.items) {
      if (item.kind != OptionValue::Kind::list) {
        error(item.where, in_quotes(o.name.value) + " needs a list of field lists: {{a, b}, {c}}");
        return std::nullopt;
      }
      std::optional<ir::NameList> list = names(o, item, false);
      if (!list) return std::nullopt;
      out.push_back(std::move(*list));
    }
    return out;
  }

  void error(const diag::Location& where, std::string message, std::vector<diag::Note> notes = {}) {
    diags_.error(where, std::move(message), std::move(notes));
  }

 private:
  diag::Diagnostics& diags_;
  std::size_t errors_before_;
  std::map<std::string, diag::Location> seen_;
};

}  // namespace

std::optional<std::vector<Option>> parse_options(std::string_view text, const Locator& locate,
                                                 diag::Diagnostics& diags) {
  return Reader(text, locate, diags).options();
}

bool apply_field_options(const std::vector<Option>& options, ir::FieldSpec& field,
                         diag::Diagnostics& diags) {
  Applier a(diags);
  for (const Option& o : options) {
    const std::string& n = o.name.value;
    if (!a.first_time(o)) continue;
    if (one_of(n, kFieldFlags)) {
      std::optional<Spanned<bool>> v = a.flag(o);
      if (n == "primary_key") field.primary_key = v;
      else if (n == "unique") field.unique = v;
      else if (n == "index") field.index = v;
      else if (n == "auto_now") field.auto_now = v;
      else if (n == "auto_now_add") field.auto_now_add = v;
      // one_to_one: the type, pending the member's (which must be a foreign key).
      else if (v && v->value) field.type = Spanned<std::string>{"one_to_one", v->where};
    } else if (one_of(n, kFieldIntegers)) {
      std::optional<Spanned<int>> v = a.integer(o);
      if (n == "max_length") field.max_length = v;
      else if (n == "max_digits") field.max_digits = v;
      else field.decimal_places = v;
    } else if (one_of(n, kFieldNames)) {
      std::optional<Spanned<std::string>> v = a.name(o, o.value);
      if (n == "db_column") field.db_column = v;
      else if (n == "on_delete") field.on_delete = v;
      else if (n == "related_name") field.related_name = v;
      else if (n == "db_table") field.db_table = v;
      else if (n == "renamed_from") field.renamed_from = v;
      else field.through = v;
    } else {
      std::string fix;
      for (const auto& [option, how] : kFromDeclaration)
        if (option == n) fix = how;
      if (!fix.empty()) {
        a.error(o.name.where, "option " + in_quotes(n) + " is not written in AORM_FIELD",
                {{o.name.where, fix}});
      } else {
        a.error(o.name.where, "unknown field option " + in_quotes(n) +
                                  diag::did_you_mean(n, field_option_names()));
      }
    }
  }
  return a.ok();
}

bool apply_model_options(const std::vector<Option>& options, std::string_view struct_name,
                         ir::MetaSpec& meta, diag::Diagnostics& diags) {
  Applier a(diags);
  if (options.empty() || options.front().value.kind != OptionValue::Kind::flag) {
    // The C++ compiler already insists on a first argument; this is a malformed one.
    a.error(options.empty() ? diag::Location{} : options.front().name.where,
            "AORM_MODEL needs the struct's name first: AORM_MODEL(" + std::string(struct_name) + ", ...)");
    return false;
  }
  const Option& name = options.front();
  if (name.name.value != struct_name)
    a.error(name.name.where, "AORM_MODEL names " + in_quotes(name.name.value) + ", but the struct is " +
                                 in_quotes(struct_name));
  for (std::size_t i = 1; i < options.size(); ++i) {
    const Option& o = options[i];
    const std::string& n = o.name.value;
    if (!a.first_time(o)) continue;
    if (n == "table") {
      meta.table = a.name(o, o.value);
    } else if (n == "get_latest_by") {
      meta.get_latest_by = a.name(o, o.value);
    } else if (n == "ordering") {
      meta.ordering = a.names(o, o.value, true);
    } else if (n == "indexes" || n == "unique_together") {
      if (auto lists = a.lists(o)) (n == "indexes" ? meta.indexes : meta.unique_together) = std::move(*lists);
    } else {
      a.error(o.name.where, "unknown model option " + in_quotes(n) + diag::did_you_mean(n, kModelOptions));
    }
  }
  return a.ok();
}

}  // namespace aormc::annotated
