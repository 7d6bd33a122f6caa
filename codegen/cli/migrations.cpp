#include "cli/migrations.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <unistd.h>

#include <aorm/database.hpp>
#include <aorm/migrate.hpp>
#include <aorm/runtime.hpp>
#include <aorm/url.hpp>

#include "migrate/autodetect.hpp"
#include "migrate/checksum.hpp"
#include "migrate/cpp.hpp"
#include "migrate/load.hpp"
#include "migrate/reader.hpp"
#include "migrate/sql.hpp"
#include "migrate/state.hpp"
#include "migrate/writer.hpp"
#include "ir/resolve.hpp"

namespace aormc::cli {

namespace {

namespace fs = std::filesystem;
using migrate::Migration;

int usage(std::string_view message) {
  std::cerr << "aormc: error: " << message << "\nusage:\n" << kMigrationsUsage;
  return 1;
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Options `--x value` and flags `--y` out of `args`; the rest are positional.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
  std::string bad;
};
Args parse_args(const std::vector<std::string>& args, std::initializer_list<std::string_view> with_value,
                std::initializer_list<std::string_view> flags) {
  Args out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (std::find(with_value.begin(), with_value.end(), a) != with_value.end() && i + 1 < args.size()) {
      out.options[a] = args[++i];
    } else if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      out.flags.insert(a);
    } else if (a.starts_with("--")) {
      out.bad = a;
    } else {
      out.positional.push_back(a);
    }
  }
  return out;
}

std::optional<std::vector<Migration>> read_migrations(const std::string& dir) {
  diag::Diagnostics diags;
  auto ms = migrate::read_dir(dir, diags);
  if (!ms) std::cerr << diags.render();
  return ms;
}

// The migrations' state and the model file's spec, both checked.
struct States {
  std::vector<Migration> migrations;
  ir::ModelSetSpec state, target;
};
std::optional<States> load_states(const std::string& models, const std::string& dir) {
  std::optional<std::string> text = read_text(models);
  if (!text) {
    std::cerr << models << ": error: cannot read the file\n";
    return std::nullopt;
  }
  diag::Diagnostics diags;
  std::optional<ir::ModelSetSpec> target = migrate::load_spec(*text, models, diags);
  if (!target) {
    std::cerr << diags.render();
    return std::nullopt;
  }
  auto ms = read_migrations(dir);
  if (!ms) return std::nullopt;
  std::optional<ir::ModelSetSpec> state = migrate::replay(*ms, diags);
  if (state && !state->models.empty() && !ir::resolve(*state, diags)) state.reset();
  if (!state) {
    std::cerr << diags.render();
    return std::nullopt;
  }
  if (!ms->empty() && ms->front().ns != target->ns.value) {
    std::cerr << dir << ": error: these migrations are of namespace '" << ms->front().ns << "', "
              << models << " is '" << target->ns.value << "'\n";
    return std::nullopt;
  }
  return States{std::move(*ms), migrate::normalized(std::move(*state)), migrate::normalized(std::move(*target))};
}

std::string describe(const migrate::Operation& op) {
  using migrate::OpKind;
  switch (op.kind) {
    case OpKind::create_model: return "Create model " + op.model;
    case OpKind::delete_model: return "Delete model " + op.model;
    case OpKind::rename_model: return "Rename model " + op.from + " to " + op.to;
    case OpKind::alter_model_table: return "Set the table of " + op.model + " to " + (op.to.empty() ? "its default" : op.to);
    case OpKind::add_field: return "Add field " + op.field.name.value + " to " + op.model;
    case OpKind::remove_field: return "Remove field " + op.field.name.value + " from " + op.model;
    case OpKind::rename_field: return "Rename field " + op.model + "." + op.from + " to " + op.to;
    case OpKind::alter_field: return "Alter field " + op.field.name.value + " of " + op.model;
    case OpKind::add_index: return "Add an index on " + op.model;
    case OpKind::remove_index: return "Remove an index of " + op.model;
    case OpKind::alter_unique_together: return "Alter unique_together of " + op.model;
    case OpKind::run_sql: return "Run SQL";
  }
  return "?";
}

// The automatic name of a migration: "initial", else from its first operation.
std::string auto_name(const std::vector<migrate::Operation>& ops, bool first) {
  using migrate::OpKind;
  if (first) return "initial";
  if (ops.empty()) return "empty";
  const migrate::Operation& op = ops.front();
  std::string name;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  switch (op.kind) {
    case OpKind::create_model: name = "create_" + lower(op.model); break;
    case OpKind::delete_model: name = "delete_" + lower(op.model); break;
    case OpKind::rename_model: name = "rename_" + lower(op.from); break;
    case OpKind::add_field: name = "add_" + op.field.name.value; break;
    case OpKind::remove_field: name = "remove_" + op.field.name.value; break;
    case OpKind::rename_field: name = "rename_" + op.from; break;
    case OpKind::alter_field: name = "alter_" + op.field.name.value; break;
    default: name = std::string(migrate::op_name(op.kind)); break;
  }
  return ops.size() > 1 ? name + "_and_more" : name;
}

bool write_file(const fs::path& dest, const std::string& content) {
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  fs::path tmp = dest;
  tmp += ".tmp" + std::to_string(::getpid());
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    std::cerr << dest.string() << ": error: cannot write the file\n";
    fs::remove(tmp, ec);
    return false;
  }
  fs::rename(tmp, dest, ec);
  if (ec) {
    std::cerr << dest.string() << ": error: cannot write the file: " << ec.message() << "\n";
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

// migrations[i] named by `what`: its full name or its number ("0002").
std::optional<std::size_t> find_migration(const std::vector<Migration>& ms, const std::string& what) {
  for (std::size_t i = 0; i < ms.size(); ++i)
    if (ms[i].name == what || ms[i].name.starts_with(what + "_")) return i;
  return std::nullopt;
}

// The migrations in the runtime's form, with the storage its views point into.
struct Runtime {
  std::vector<migrate::CompiledMigration> compiled;
  std::vector<std::vector<std::string_view>> views;
  std::vector<aorm::Migration> list;
  std::string app;
  aorm::Migrations migrations;
};
std::unique_ptr<Runtime> to_runtime(const std::vector<Migration>& ms) {
  diag::Diagnostics diags;
  auto compiled = migrate::compile(ms, diags);
  if (!compiled) {
    std::cerr << diags.render();
    return nullptr;
  }
  auto r = std::make_unique<Runtime>();
  r->compiled = std::move(*compiled);
  r->app = ms.empty() ? "" : ms.front().ns;
  r->views.reserve(r->compiled.size() * 4);
  auto view = [&](const std::vector<std::string>& v) {
    r->views.emplace_back(v.begin(), v.end());
    return std::span<const std::string_view>(r->views.back());
  };
  for (const auto& c : r->compiled) {
    const bool irreversible = c.sqlite_backward.size() == 1 && c.sqlite_backward[0] == "-- irreversible";
    aorm::Migration m{c.name, view(c.sqlite_forward), view(c.sqlite_backward), view(c.postgres_forward),
                      view(c.postgres_backward), irreversible, c.checksum};
    r->list.push_back(m);
  }
  r->migrations = aorm::Migrations{r->app, r->list};
  return r;
}

// A row of aorm_migrations: name, checksum ("" when the row or the table has none).
struct AppliedRow {
  std::string name, checksum;
};

// The rows of `app` in aorm_migrations (none when the table does not exist). Reads only: a
// table made before the checksum column existed is read as it is.
aorm::Task<std::vector<AppliedRow>> applied_rows(aorm::Database db, std::string app) {
  const bool pg = db.dialect() == aorm::Dialect::postgres;
  std::vector<AppliedRow> rows;
  std::int64_t columns = 0;  // 0: no table; 1: without checksum; 2: with it
  auto count = [&](const aorm::RowReader& row) { columns = row.get_int64(0); };
  aorm::Statement probe{
      pg ? "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass('aorm_migrations') "
           "AND attname IN ('name', 'checksum') AND NOT attisdropped"
         : "SELECT count(*) FROM pragma_table_info('aorm_migrations') WHERE name IN ('name', 'checksum')",
      {}};
  co_await aorm::detail::execute(db, probe, count);
  if (columns == 0) co_return rows;
  const std::string checksum = columns == 2 ? "checksum" : "NULL";
  aorm::Statement stmt{"SELECT name, " + checksum + " FROM aorm_migrations WHERE app = " + (pg ? "$1" : "?") +
                           " ORDER BY id",
                       {aorm::to_value(app)}};
  auto sink = [&](const aorm::RowReader& row) {
    rows.push_back({std::string(row.get_text(0)), row.is_null(1) ? std::string() : std::string(row.get_text(1))});
  };
  co_await aorm::detail::execute(db, stmt, sink);
  co_return rows;
}

}  // namespace

int makemigrations(const std::vector<std::string>& all) {
  Args a = parse_args(all, {"--dir", "--name"}, {"--check", "--empty"});
  if (!a.bad.empty()) return usage("unexpected argument '" + aorm::redact_url(a.bad) + "'");
  if (a.positional.size() != 1 || !a.options.contains("--dir")) return usage("makemigrations needs MODELS and --dir DIR");
  const std::string models = a.positional[0], dir = a.options["--dir"];
  std::optional<States> s = load_states(models, dir);
  if (!s) return 1;
  diag::Diagnostics diags;
  migrate::Changes changes;
  if (!a.flags.contains("--empty")) changes = migrate::autodetect(s->state, s->target, diags);
  if (diags.has_errors()) {
    std::cerr << diags.render();
    return 1;
  }
  if (changes.operations.empty() && !a.flags.contains("--empty")) {
    std::cout << "No changes detected\n";
    return 0;
  }
  const std::string command = "aormc makemigrations " + models + " --dir " + dir;
  if (a.flags.contains("--check")) {
    std::cerr << models << ": error: the model file has changes that no migration in " << dir << " holds:\n";
    for (const auto& op : changes.operations) std::cerr << "  - " << describe(op) << "\n";
    std::cerr << "run: " << command << "\n";
    return 1;
  }
  Migration m;
  const int number = s->migrations.empty() ? 1 : std::atoi(s->migrations.back().name.substr(0, 4).c_str()) + 1;
  char prefix[8];
  std::snprintf(prefix, sizeof prefix, "%04d", number % 10000);
  const std::string name = a.options.contains("--name") ? a.options["--name"]
                                                        : auto_name(changes.operations, s->migrations.empty());
  m.name = std::string(prefix) + "_" + name;
  m.file = (fs::path(dir) / (m.name + ".yaml")).string();
  m.ns = s->target.ns.value;
  if (!s->migrations.empty()) m.dependencies.push_back(s->migrations.back().name);
  m.operations = std::move(changes.operations);
  const std::string text = migrate::write(m, models);

  // What was written must read back, replay and compile to SQL (else it is aormc's bug).
  diag::Diagnostics check;
  std::vector<Migration> all_migrations = s->migrations;
  auto reread = migrate::read_migration(text, m.file, check);
  if (reread) all_migrations.push_back(std::move(*reread));
  if (!reread || !migrate::compile(all_migrations, check)) {
    std::cerr << "aormc: internal error: the new migration does not read back:\n" << check.render() << text;
    return 1;
  }
  if (!write_file(m.file, text)) return 1;
  std::cout << "Migrations for '" << m.ns << "':\n  " << m.file << "\n";
  for (const auto& op : all_migrations.back().operations) std::cout << "    - " << describe(op) << "\n";
  for (const std::string& w : changes.warnings) std::cerr << "warning: " << w << "\n";
  return 0;
}

int sqlmigrate(const std::vector<std::string>& all) {
  Args a = parse_args(all, {"--dialect"}, {"--backwards"});
  if (!a.bad.empty()) return usage("unexpected argument '" + aorm::redact_url(a.bad) + "'");
  const std::string dialect = a.options["--dialect"];
  if (a.positional.size() != 2 || (dialect != "sqlite" && dialect != "postgres"))
    return usage("sqlmigrate needs DIR, NUMBER and --dialect sqlite|postgres");
  auto ms = read_migrations(a.positional[0]);
  if (!ms) return 1;
  auto index = find_migration(*ms, a.positional[1]);
  if (!index) {
    std::cerr << a.positional[0] << ": error: no migration '" << a.positional[1] << "'\n";
    return 1;
  }
  diag::Diagnostics diags;
  auto statements = migrate::migration_sql(*ms, *index,
                                           dialect == "sqlite" ? emit::sql::Dialect::sqlite : emit::sql::Dialect::postgres,
                                           a.flags.contains("--backwards"), diags);
  if (!statements) {
    std::cerr << diags.render();
    return 1;
  }
  std::cout << "-- " << (*ms)[*index].name << (a.flags.contains("--backwards") ? " (backwards)" : "") << "\n";
  std::cout << emit::sql::script(*statements);
  return std::cout.flush() ? 0 : 1;
}

int migrate(const std::vector<std::string>& all) {
  Args a = parse_args(all, {"--db"}, {});
  if (!a.bad.empty()) return usage("unexpected argument '" + aorm::redact_url(a.bad) + "'");
  if (a.positional.empty() || a.positional.size() > 2 || !a.options.contains("--db"))
    return usage("migrate needs DIR and --db URL (and optionally NAME or zero)");
  auto ms = read_migrations(a.positional[0]);
  if (!ms) return 1;
  std::string target;
  if (a.positional.size() == 2) {
    target = a.positional[1];
    if (target != "zero") {
      auto index = find_migration(*ms, target);
      if (!index) {
        std::cerr << a.positional[0] << ": error: no migration '" << aorm::redact_url(target) << "'\n";
        return 1;
      }
      target = (*ms)[*index].name;
    }
  }
  std::unique_ptr<Runtime> r = to_runtime(*ms);
  if (!r) return 1;
  const std::string url = a.options["--db"];
  try {
    aorm::MigrateReport report = aorm::run([](std::string url, const aorm::Migrations& m, std::string target)
                                               -> aorm::Task<aorm::MigrateReport> {
      aorm::Database db = co_await aorm::aconnect(url, {.pool_size = 1});
      std::exception_ptr error;
      aorm::MigrateReport out;
      try {
        out = co_await db.amigrate(m, target);
      } catch (...) {
        error = std::current_exception();
      }
      co_await db.aclose();
      if (error) std::rethrow_exception(error);
      co_return out;
    }(url, r->migrations, target));
    for (const std::string& n : report.unapplied) std::cout << "  Unapplied " << r->app << "." << n << "\n";
    for (const std::string& n : report.applied) std::cout << "  Applied " << r->app << "." << n << "\n";
    if (report.applied.empty() && report.unapplied.empty()) std::cout << "No migrations to apply.\n";
  } catch (const std::exception& e) {
    std::cerr << "aormc: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int showmigrations(const std::vector<std::string>& all) {
  Args a = parse_args(all, {"--db"}, {});
  if (!a.bad.empty()) return usage("unexpected argument '" + aorm::redact_url(a.bad) + "'");
  if (a.positional.size() != 1 || !a.options.contains("--db")) return usage("showmigrations needs DIR and --db URL");
  auto ms = read_migrations(a.positional[0]);
  if (!ms) return 1;
  const std::string app = ms->empty() ? "" : ms->front().ns;
  try {
    std::vector<AppliedRow> applied = aorm::run([](std::string url, std::string app) -> aorm::Task<std::vector<AppliedRow>> {
      aorm::Database db = co_await aorm::aconnect(url, {.pool_size = 1});
      std::exception_ptr error;
      std::vector<AppliedRow> out;
      try {
        out = co_await applied_rows(db, app);
      } catch (...) {
        error = std::current_exception();
      }
      co_await db.aclose();
      if (error) std::rethrow_exception(error);
      co_return out;
    }(a.options["--db"], app));
    std::cout << app << "\n";
    std::vector<std::string> edited;
    for (const Migration& m : *ms) {
      auto row = std::find_if(applied.begin(), applied.end(), [&](const AppliedRow& r) { return r.name == m.name; });
      const bool is_edited = row != applied.end() && !row->checksum.empty() && row->checksum != migrate::checksum(m);
      if (is_edited) edited.push_back(m.file);
      std::cout << " [" << (row != applied.end() ? "X" : " ") << "] " << m.name
                << (is_edited ? "  (edited after it was applied)" : "") << "\n";
    }
    for (const AppliedRow& r : applied)
      if (std::none_of(ms->begin(), ms->end(), [&](const Migration& m) { return m.name == r.name; }))
        std::cout << " [X] " << r.name << "  (applied, but no file in " << a.positional[0] << ")\n";
    for (const std::string& file : edited)
      std::cerr << file << ": error: this migration was edited after it was applied; restore it as it was "
                << "(e.g. git checkout) and make the change in a new migration (aormc makemigrations)\n";
    if (!edited.empty()) return 1;
  } catch (const std::exception& e) {
    std::cerr << "aormc: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

int generate_migrations(const std::vector<std::string>& all) {
  Args a = parse_args(all, {"--dir", "--out"}, {});
  if (!a.bad.empty()) return usage("unexpected argument '" + aorm::redact_url(a.bad) + "'");
  if (a.positional.size() != 1 || !a.options.contains("--dir") || !a.options.contains("--out"))
    return usage("generate-migrations needs MODELS, --dir DIR and --out OUT");
  const std::string models = a.positional[0], dir = a.options["--dir"], out = a.options["--out"];
  std::optional<States> s = load_states(models, dir);
  if (!s) return 1;
  diag::Diagnostics diags;
  migrate::Changes changes = migrate::autodetect(s->state, s->target, diags);
  if (!changes.operations.empty() || diags.has_errors()) {
    std::cerr << models << ": error: the model file has changes that no migration in " << dir << " holds\n"
              << "  run: aormc makemigrations " << models << " --dir " << dir << "\n";
    return 1;
  }
  auto compiled = migrate::compile(s->migrations, diags);
  if (!compiled) {
    std::cerr << diags.render();
    return 1;
  }
  for (const auto& file : migrate::generate(s->target.ns.value, dir, *compiled, migrate::generate_command(models, dir, out)))
    if (!write_file(fs::path(out) / file.path, file.content)) return 1;
  return 0;
}

}  // namespace aormc::cli
