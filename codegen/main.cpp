// aormc — compiles model files into typed async C++ (API.md §7).
//
//   aormc generate FILE --out DIR              DIR/<namespace>/models.{hpp,cpp} and json.hpp
//   aormc sql FILE --dialect sqlite|postgres   the DDL on stdout
//   aormc check FILE                           diagnostics only
//
// FILE is a YAML model file or an annotated C++ header; for a header, the compiler flags it
// needs follow `--` (`aormc generate models/library.hpp --out DIR -- -Iinclude -DX=1`).
// `generate --depfile FILE` also writes a Make-style depfile (the input and what it includes).
//
// Exit code 0 on success, 1 on any error (usage, unreadable file, any diagnostic). Nothing
// is written unless everything succeeded: files go to temporaries first and are renamed
// into place at the end. Only main() chooses the exit code.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

#include "cli/introspect.hpp"
#include "cli/migrations.hpp"
#include "emit/sql/ddl.hpp"
#include "pipeline.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage =
    "usage: aormc generate FILE --out DIR [--depfile FILE] [-- COMPILER FLAGS]\n"
    "       aormc sql FILE --dialect sqlite|postgres [-- COMPILER FLAGS]\n"
    "       aormc check FILE [-- COMPILER FLAGS]\n"
    "FILE is a .yaml model file or an annotated C++ header (.hpp, .h); the compiler flags\n"
    "(-I, -D, -std, @file) are what Clang needs to read a header.\n";

int usage_error(std::string_view message) {
  std::cerr << "aormc: error: " << message << "\n" << kUsage << aormc::cli::kMigrationsUsage
            << aormc::cli::kIntrospectUsage;
  return 1;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

// The arguments before `--`, and the compiler flags after it.
std::pair<std::vector<std::string>, std::vector<std::string>> split_flags(const std::vector<std::string>& args) {
  auto dashes = std::find(args.begin(), args.end(), "--");
  if (dashes == args.end()) return {args, {}};
  return {std::vector<std::string>(args.begin(), dashes), std::vector<std::string>(dashes + 1, args.end())};
}

// Parses and resolves `path`; prints diagnostics on failure.
std::optional<aormc::ir::ModelSet> load(const std::string& path, const std::vector<std::string>& flags,
                                        std::vector<std::string>* included = nullptr) {
  std::optional<std::string> text = read_file(path);
  if (!text) {
    std::cerr << path << ": error: cannot read the file\n";
    return std::nullopt;
  }
  aormc::diag::Diagnostics diags;
  std::optional<aormc::ir::ModelSet> set = aormc::load(*text, path, diags, flags, included);
  if (!set) std::cerr << diags.render();
  return set;
}

// Writes every file to a temporary beside its destination, then renames them all. On any
// failure the temporaries are removed and the destinations are left as they were.
bool write_all(const fs::path& out_dir, const std::vector<aormc::emit::cpp::GeneratedFile>& files) {
  std::vector<std::pair<fs::path, fs::path>> written;  // temporary, destination
  auto fail = [&](const fs::path& path, std::string_view what) {
    std::cerr << path.string() << ": error: " << what << "\n";
    std::error_code ignored;
    for (const auto& [tmp, dest] : written) fs::remove(tmp, ignored);
    return false;
  };
  for (const auto& file : files) {
    const fs::path dest = out_dir / file.path;
    std::error_code ec;
    fs::create_directories(dest.parent_path(), ec);
    if (ec) return fail(dest.parent_path(), "cannot create the directory: " + ec.message());
    fs::path tmp = dest;
    tmp += ".tmp" + std::to_string(::getpid());
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << file.content;
    out.close();
    if (!out) {
      written.emplace_back(tmp, dest);
      return fail(tmp, "cannot write the file");
    }
    written.emplace_back(tmp, dest);
  }
  for (const auto& [tmp, dest] : written) {
    std::error_code ec;
    fs::rename(tmp, dest, ec);
    if (ec) return fail(dest, "cannot replace the file: " + ec.message());
  }
  return true;
}

// A Make-style depfile: the generated files depend on the input and on every file it read
// (a header's includes), so a build tool regenerates when any of them changes.
bool write_depfile(const fs::path& depfile, const fs::path& out_dir,
                   const std::vector<aormc::emit::cpp::GeneratedFile>& files, const std::string& input,
                   const std::vector<std::string>& included) {
  auto escaped = [](const fs::path& p) {
    std::string out;
    for (char c : fs::absolute(p).lexically_normal().string()) {
      if (c == ' ' || c == '#') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  };
  std::string text;
  for (const auto& file : files) text += escaped(out_dir / file.path) + " ";
  text += ":";
  text += " " + escaped(input);
  std::set<std::string> seen;  // a header included twice is one dependency
  for (const std::string& dep : included)
    if (seen.insert(dep).second) text += " \\\n  " + escaped(dep);
  text += "\n";
  std::error_code ec;
  if (depfile.has_parent_path()) fs::create_directories(depfile.parent_path(), ec);
  std::ofstream out(depfile, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::cerr << depfile.string() << ": error: cannot write the depfile\n";
  return static_cast<bool>(out);
}

int generate(const std::vector<std::string>& all_args) {
  const auto [args, flags] = split_flags(all_args);
  std::string input, out_dir, depfile;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" && i + 1 < args.size()) {
      out_dir = args[++i];
    } else if (args[i] == "--depfile" && i + 1 < args.size()) {
      depfile = args[++i];
    } else if (input.empty() && !args[i].starts_with("-")) {
      input = args[i];
    } else {
      return usage_error("unexpected argument '" + args[i] + "'");
    }
  }
  if (input.empty() || out_dir.empty()) return usage_error("generate needs FILE and --out DIR");
  std::vector<std::string> included;
  std::optional<aormc::ir::ModelSet> set = load(input, flags, &included);
  if (!set) return 1;
  const std::vector<aormc::emit::cpp::GeneratedFile> files = aormc::generate(*set, input, out_dir, flags);
  if (!write_all(out_dir, files)) return 1;
  return depfile.empty() || write_depfile(depfile, out_dir, files, input, included) ? 0 : 1;
}

int sql(const std::vector<std::string>& all_args) {
  const auto [args, flags] = split_flags(all_args);
  std::string input, dialect;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--dialect" && i + 1 < args.size()) {
      dialect = args[++i];
    } else if (input.empty() && !args[i].starts_with("-")) {
      input = args[i];
    } else {
      return usage_error("unexpected argument '" + args[i] + "'");
    }
  }
  if (input.empty()) return usage_error("sql needs FILE");
  if (dialect != "sqlite" && dialect != "postgres")
    return usage_error("sql needs --dialect sqlite or --dialect postgres");
  std::optional<aormc::ir::ModelSet> set = load(input, flags);
  if (!set) return 1;
  namespace sql = aormc::emit::sql;
  std::cout << sql::script(sql::ddl(*set, dialect == "sqlite" ? sql::Dialect::sqlite : sql::Dialect::postgres));
  return std::cout.flush() ? 0 : 1;
}

int check(const std::vector<std::string>& all_args) {
  const auto [args, flags] = split_flags(all_args);
  if (args.size() != 1 || args[0].starts_with("-")) return usage_error("check needs exactly one FILE");
  return load(args[0], flags) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage_error("no command");
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "generate") return generate(args);
    if (command == "sql") return sql(args);
    if (command == "check") return check(args);
    if (command == "makemigrations") return aormc::cli::makemigrations(args);
    if (command == "sqlmigrate") return aormc::cli::sqlmigrate(args);
    if (command == "migrate") return aormc::cli::migrate(args);
    if (command == "showmigrations") return aormc::cli::showmigrations(args);
    if (command == "generate-migrations") return aormc::cli::generate_migrations(args);
    if (command == "graph") return aormc::cli::graph(args);
    if (command == "inspectdb") return aormc::cli::inspectdb(args);
    if (command == "--help" || command == "-h") {
      std::cout << kUsage << aormc::cli::kMigrationsUsage << aormc::cli::kIntrospectUsage;
      return 0;
    }
    return usage_error("unknown command '" + command + "'");
  } catch (const std::exception& e) {
    // A bug in aormc (e.g. a template variable without a value): say so, write nothing.
    std::cerr << "aormc: internal error: " << e.what() << "\n";
    return 1;
  }
}
