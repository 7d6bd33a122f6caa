#include "migrate/reader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "frontend/yaml/entries.hpp"
#include "migrate/state.hpp"

namespace aormc::migrate {

namespace {

using diag::Location;

std::string q(std::string_view s) { return "'" + diag::printable(s) + "'"; }

constexpr std::string_view kRootKeys[] = {"namespace", "dependencies", "operations"};

// The position of the first byte that makes `text` binary (a NUL, invalid UTF-8), or npos.
std::size_t binary_at(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) return i;
    int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + extra >= text.size() + (extra == 0 ? 1 : 0)) return i;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 2) return i;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return std::string_view::npos;
}

class Reader {
 public:
  Reader(std::string_view text, const std::string& file, diag::Diagnostics& diags)
      : text_(text), file_(file), diags_(diags) {}

  std::optional<Migration> run() {
    const std::size_t errors_before = diags_.error_count();
    Migration m;
    m.file = file_;
    m.name = std::filesystem::path(file_).stem().string();
    if (text_.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      error({file_, 1, 1}, "empty migration file (a migration has 'namespace', 'dependencies' and 'operations'; "
                           "delete the file, or run 'aormc makemigrations' again)");
      return std::nullopt;
    }
    if (std::size_t at = binary_at(text_); at != std::string_view::npos) {
      error(position(at), "not a text file: byte 0x" + hex(static_cast<unsigned char>(text_[at])) +
                              " is not UTF-8 text (a migration file is YAML)");
      return std::nullopt;
    }
    YAML::Node doc;
    try {
      doc = YAML::Load(std::string(text_));
    } catch (const YAML::Exception& e) {
      const Location where = e.mark.line < 0 ? Location{file_, 1, 1} : Location{file_, e.mark.line + 1, e.mark.column + 1};
      error(where, "invalid YAML: " + e.msg + " (is the file truncated?)");
      return std::nullopt;
    }
    if (!doc.IsMap()) {
      error(at(doc, {file_, 1, 1}), "a migration file is a map with 'namespace', 'dependencies' and 'operations'");
      return std::nullopt;
    }
    bool has_ops = false, has_ns = false, has_deps = false;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const YAML::Node k = it->first, v = it->second;
      const std::string key = k.IsScalar() ? k.Scalar() : "";
      if (key == "namespace") {
        has_ns = true;
        if (auto s = scalar(v, k, "namespace")) m.ns = *s;
      } else if (key == "dependencies") {
        has_deps = true;
        m.dependencies_where = at(v, at(k, {}));
        if (v.IsNull()) continue;
        if (!v.IsSequence()) {
          error(at(v, at(k, {})), "'dependencies' must be a list of migration names, like [0001_initial]");
          continue;
        }
        for (const YAML::Node& d : v)
          if (auto s = scalar(d, k, "each dependency")) m.dependencies.push_back(*s);
      } else if (key == "operations") {
        has_ops = true;
        if (v.IsNull()) continue;
        if (!v.IsSequence()) {
          error(at(v, at(k, {})), "'operations' must be a list of operations, like '- add_field: {...}'");
          continue;
        }
        for (const YAML::Node& op : v)
          if (auto o = operation(op)) m.operations.push_back(std::move(*o));
      } else {
        error(at(k, {file_, 1, 1}), "unknown key " + q(key) + " in a migration file" +
                                        diag::did_you_mean(key, kRootKeys));
      }
    }
    const Location end = end_of_file();
    if (!has_ns) error(end, "missing 'namespace' (the model file's namespace; is the file truncated?)");
    if (!has_deps) error(end, "missing 'dependencies' (the migration this one follows, or [] for the first; is the file truncated?)");
    if (!has_ops) error(end, "missing 'operations' (is the file truncated?)");
    if (diags_.error_count() != errors_before) return std::nullopt;
    return m;
  }

 private:
  static std::string hex(unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    return {kHex[c >> 4], kHex[c & 15]};
  }

  Location position(std::size_t offset) const {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return {file_, line, column};
  }

  Location end_of_file() const {
    std::size_t n = text_.size();
    while (n > 0 && (text_[n - 1] == '\n' || text_[n - 1] == ' ')) --n;
    return position(n);
  }

  Location at(const YAML::Node& n, Location fallback) const {
    const YAML::Mark m = n.Mark();
    if (m.line < 0 || (n.IsNull() && fallback.line > 0)) return fallback.line > 0 ? fallback : Location{file_, 1, 1};
    return {file_, m.line + 1, m.column + 1};
  }

  void error(Location where, std::string message, std::vector<diag::Note> notes = {}) {
    diags_.error(std::move(where), std::move(message), std::move(notes));
  }

  std::optional<std::string> scalar(const YAML::Node& v, const YAML::Node& key, std::string_view what) {
    if (!v.IsScalar()) {
      error(at(v, at(key, {})), std::string(what) + " must be a single word or string");
      return std::nullopt;
    }
    return v.Scalar();
  }

  // The body of an operation: a map whose keys are checked against `allowed`.
  std::map<std::string, std::pair<YAML::Node, YAML::Node>> body(const YAML::Node& v, const Location& where,
                                                                const std::string& op,
                                                                std::initializer_list<std::string_view> allowed,
                                                                std::initializer_list<std::string_view> required) {
    std::map<std::string, std::pair<YAML::Node, YAML::Node>> out;
    if (!v.IsMap()) {
      error(at(v, where), q(op) + " takes a map of its options");
      return out;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      const YAML::Node k = it->first;
      const std::string key = k.IsScalar() ? k.Scalar() : "";
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        error(at(k, where), "unknown option " + q(key) + " of " + q(op) +
                                diag::did_you_mean(key, std::vector<std::string_view>(allowed)));
        continue;
      }
      out[key] = {k, it->second};
    }
    for (std::string_view r : required)
      if (!out.contains(std::string(r))) error(at(v, where), q(op) + " needs " + q(r));
    return out;
  }

  std::optional<std::string> text(const std::map<std::string, std::pair<YAML::Node, YAML::Node>>& b,
                                  const std::string& key, bool allow_null = false) {
    auto it = b.find(key);
    if (it == b.end()) return std::nullopt;
    if (allow_null && it->second.second.IsNull()) return std::string();
    return scalar(it->second.second, it->second.first, "'" + key + "'");
  }

  // `name: { ...field... }`, the one entry of a map.
  std::optional<ir::FieldSpec> one_field(const std::pair<YAML::Node, YAML::Node>& kv, const Location& where) {
    const YAML::Node& v = kv.second;
    if (!v.IsMap() || v.size() != 1) {
      error(at(v, at(kv.first, where)), "a field is written as one entry 'name: { type: ... }'");
      return std::nullopt;
    }
    auto it = v.begin();
    const std::size_t before = diags_.error_count();
    ir::FieldSpec f = yaml::parse_field(it->first, it->second, text_, file_, diags_);
    if (diags_.error_count() != before) return std::nullopt;
    return f;
  }

  std::optional<std::vector<std::string>> names(const std::pair<YAML::Node, YAML::Node>& kv, const Location& where) {
    const YAML::Node& v = kv.second;
    if (!v.IsSequence()) {
      error(at(v, at(kv.first, where)), "expected a list of field names, like [a, b]");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const YAML::Node& n : v) {
      auto s = scalar(n, kv.first, "each field name");
      if (!s) return std::nullopt;
      out.push_back(*s);
    }
    return out;
  }

  std::optional<std::vector<std::vector<std::string>>> lists(const std::pair<YAML::Node, YAML::Node>& kv,
                                                             const Location& where) {
    const YAML::Node& v = kv.second;
    std::vector<std::vector<std::string>> out;
    if (v.IsNull()) return out;
    if (!v.IsSequence()) {
      error(at(v, at(kv.first, where)), "expected a list of field lists, like [[a, b]]");
      return std::nullopt;
    }
    for (const YAML::Node& item : v) {
      auto l = names({kv.first, item}, where);
      if (!l) return std::nullopt;
      out.push_back(std::move(*l));
    }
    return out;
  }

  std::optional<std::vector<std::string>> statements(const YAML::Node& k, const YAML::Node& v) {
    if (v.IsScalar()) return std::vector<std::string>{v.Scalar()};
    if (v.IsSequence()) {
      std::vector<std::string> out;
      for (const YAML::Node& s : v) {
        auto t = scalar(s, k, "each statement");
        if (!t) return std::nullopt;
        out.push_back(*t);
      }
      return out;
    }
    error(at(v, at(k, {})), "SQL is a string or a list of strings (one statement each)");
    return std::nullopt;
  }

  std::optional<SqlPair> sql_pair(const std::pair<YAML::Node, YAML::Node>& kv, const Location& where) {
    auto b = body(kv.second, at(kv.first, where), "run_sql." + kv.first.Scalar(), {"forward", "backward"}, {"forward"});
    SqlPair out;
    if (b.contains("forward")) {
      auto s = statements(b["forward"].first, b["forward"].second);
      if (!s) return std::nullopt;
      out.forward = std::move(*s);
    }
    if (b.contains("backward")) {
      auto s = statements(b["backward"].first, b["backward"].second);
      if (!s) return std::nullopt;
      out.backward = std::move(*s);
    }
    return out;
  }

  std::optional<Operation> operation(const YAML::Node& node) {
    const Location where = at(node, {file_, 1, 1});
    if (!node.IsMap() || node.size() != 1) {
      error(where, "an operation is one entry '- name: { ... }' (add_field, remove_field, ...)");
      return std::nullopt;
    }
    auto it = node.begin();
    const YAML::Node k = it->first, v = it->second;
    const std::string name = k.IsScalar() ? k.Scalar() : "";
    std::optional<OpKind> kind = parse_op(name);
    if (!kind) {
      error(at(k, where), "unknown operation " + q(name) + diag::did_you_mean(name, op_names()));
      return std::nullopt;
    }
    Operation op;
    op.kind = *kind;
    op.where = at(k, where);
    const std::size_t before = diags_.error_count();
    switch (*kind) {
      case OpKind::create_model:
      case OpKind::delete_model: {
        if (!v.IsMap() || v.size() != 1) {
          error(at(v, op.where), q(name) + " takes one model, written as in a model file: 'Name: { fields: ... }'");
          return std::nullopt;
        }
        auto m = v.begin();
        op.model_spec = yaml::parse_model(m->first, m->second, text_, file_, diags_);
        op.model = op.model_spec.name.value;
        break;
      }
      case OpKind::rename_model: {
        auto b = body(v, op.where, name, {"from", "to"}, {"from", "to"});
        op.from = text(b, "from").value_or("");
        op.to = text(b, "to").value_or("");
        op.model = op.to;
        break;
      }
      case OpKind::alter_model_table: {
        auto b = body(v, op.where, name, {"model", "from", "to"}, {"model", "from", "to"});
        op.model = text(b, "model").value_or("");
        op.from = text(b, "from", true).value_or("");
        op.to = text(b, "to", true).value_or("");
        break;
      }
      case OpKind::add_field:
      case OpKind::remove_field: {
        auto b = body(v, op.where, name, {"model", "field"}, {"model", "field"});
        op.model = text(b, "model").value_or("");
        if (b.contains("field"))
          if (auto f = one_field(b["field"], op.where)) op.field = std::move(*f);
        break;
      }
      case OpKind::rename_field: {
        auto b = body(v, op.where, name, {"model", "from", "to"}, {"model", "from", "to"});
        op.model = text(b, "model").value_or("");
        op.from = text(b, "from").value_or("");
        op.to = text(b, "to").value_or("");
        break;
      }
      case OpKind::alter_field: {
        auto b = body(v, op.where, name, {"model", "from", "to"}, {"model", "from", "to"});
        op.model = text(b, "model").value_or("");
        std::optional<ir::FieldSpec> from, to;
        if (b.contains("from")) from = one_field(b["from"], op.where);
        if (b.contains("to")) to = one_field(b["to"], op.where);
        if (from && to) {
          if (from->name.value != to->name.value)
            error(to->name.where, "alter_field changes one field: 'from' is " + q(from->name.value) +
                                      ", 'to' is " + q(to->name.value) + " (a rename is 'rename_field')");
          op.old_field = std::move(*from);
          op.field = std::move(*to);
        }
        break;
      }
      case OpKind::add_index:
      case OpKind::remove_index: {
        auto b = body(v, op.where, name, {"model", "fields"}, {"model", "fields"});
        op.model = text(b, "model").value_or("");
        if (b.contains("fields"))
          if (auto l = names(b["fields"], op.where)) op.fields = std::move(*l);
        break;
      }
      case OpKind::alter_unique_together: {
        auto b = body(v, op.where, name, {"model", "from", "to"}, {"model", "from", "to"});
        op.model = text(b, "model").value_or("");
        if (b.contains("from"))
          if (auto l = lists(b["from"], op.where)) op.old_lists = std::move(*l);
        if (b.contains("to"))
          if (auto l = lists(b["to"], op.where)) op.new_lists = std::move(*l);
        break;
      }
      case OpKind::run_sql: {
        auto b = body(v, op.where, name, {"sqlite", "postgres"}, {"sqlite", "postgres"});
        if (b.contains("sqlite"))
          if (auto s = sql_pair(b["sqlite"], op.where)) op.sqlite = std::move(*s);
        if (b.contains("postgres"))
          if (auto s = sql_pair(b["postgres"], op.where)) op.postgres = std::move(*s);
        break;
      }
    }
    if (diags_.error_count() != before) return std::nullopt;
    return op;
  }

  std::string_view text_;
  const std::string& file_;
  diag::Diagnostics& diags_;
};

bool valid_file_name(std::string_view name) {
  if (name.size() < 6 || !name.ends_with(".yaml")) return false;
  for (int i = 0; i < 4; ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return name[4] == '_';
}

}  // namespace

std::optional<Migration> read_migration(std::string_view text, const std::string& file, diag::Diagnostics& diags) {
  return Reader(text, file, diags).run();
}

std::optional<std::vector<Migration>> order(std::vector<Migration> migrations, diag::Diagnostics& diags) {
  std::map<std::string, std::size_t> by_name;
  for (std::size_t i = 0; i < migrations.size(); ++i) by_name[migrations[i].name] = i;
  const std::size_t errors_before = diags.error_count();
  std::map<std::string, std::vector<std::size_t>> children;
  std::vector<std::size_t> roots;
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (!migrations.empty() && m.ns != migrations[0].ns)
      diags.error({m.file, 1, 1}, "namespace " + q(m.ns) + " differs from " + q(migrations[0].ns) +
                                      " of " + migrations[0].file + " (one folder holds one model file's migrations)");
    if (m.dependencies.size() > 1)
      diags.error(m.dependencies_where, "a migration follows one migration (this one names " +
                                            std::to_string(m.dependencies.size()) + ")");
    if (m.dependencies.empty()) {
      roots.push_back(i);
      continue;
    }
    const std::string& parent = m.dependencies[0];
    if (!by_name.contains(parent)) {
      std::vector<std::string> names;
      for (const auto& [n, _] : by_name) names.push_back(n);
      diags.error(m.dependencies_where, "dependency " + q(parent) + " is not a migration of this folder" +
                                            diag::did_you_mean(parent, names));
      continue;
    }
    children[parent].push_back(i);
  }
  auto conflict = [&](const std::vector<std::size_t>& kids, const std::string& parent) {
    const Migration& a = migrations[kids[0]];
    const Migration& b = migrations[kids[1]];
    const std::string follows = parent.empty() ? "are both first migrations" : "both follow " + q(parent);
    diags.error({b.file, 1, 1}, "conflicting migrations: " + q(a.name) + " and " + q(b.name) + " " + follows,
                {{{a.file, 1, 1}, q(a.name) + " is here"},
                 {{b.file, 1, 1}, "to merge: keep " + q(a.name) + "; rename " + b.file +
                                      " to the next number and set 'dependencies: [" + a.name +
                                      "]' in it; then run 'aormc makemigrations --check'"}});
  };
  if (roots.size() > 1) conflict(roots, "");
  for (const auto& [parent, kids] : children)
    if (kids.size() > 1) conflict(kids, parent);
  if (diags.error_count() != errors_before) return std::nullopt;
  std::vector<Migration> out;
  if (migrations.empty()) return out;
  if (roots.empty()) {
    diags.error({migrations[0].file, 1, 1}, "no first migration (one with 'dependencies: []'): the dependencies form a cycle");
    return std::nullopt;
  }
  std::vector<bool> placed(migrations.size(), false);
  for (std::optional<std::size_t> next = roots[0]; next;) {
    const std::size_t i = *next;
    placed[i] = true;
    next.reset();
    if (auto it = children.find(migrations[i].name); it != children.end()) next = it->second[0];
    if (next && placed[*next]) break;
    out.push_back(std::move(migrations[i]));
  }
  for (std::size_t i = 0; i < migrations.size(); ++i)
    if (!placed[i])
      diags.error(migrations[i].dependencies_where, "migration " + q(migrations[i].name) +
                                                        " is not reached from the first migration (a cycle of dependencies)");
  if (diags.error_count() != errors_before) return std::nullopt;
  return out;
}

std::optional<std::vector<Migration>> read_dir(const std::string& dir, diag::Diagnostics& diags) {
  namespace fs = std::filesystem;
  std::vector<Migration> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".yaml")) continue;
    if (!valid_file_name(name)) {
      diags.error({(fs::path(dir) / name).string(), 1, 1},
                  "a migration file is named NNNN_name.yaml (four digits, '_', a name)");
      continue;
    }
    files.push_back((fs::path(dir) / name).string());
  }
  if (ec) {
    diags.error({dir, 0, 0}, "cannot read the folder: " + ec.message());
    return std::nullopt;
  }
  std::sort(files.begin(), files.end());
  bool ok = !diags.has_errors();
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      diags.error({file, 0, 0}, "cannot read the file");
      ok = false;
      continue;
    }
    if (auto m = read_migration(text.str(), file, diags)) out.push_back(std::move(*m));
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return order(std::move(out), diags);
}

}  // namespace aormc::migrate
