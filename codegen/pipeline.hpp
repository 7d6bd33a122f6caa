// pipeline.hpp — the stages of aormc wired together, for main() and for tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"
#include "emit/cpp/cpp.hpp"
#include "ir/model.hpp"

namespace aormc {

/// Whether this aormc reads annotated C++ headers (built with AORM_WITH_CLANG).
bool has_clang_front_end() noexcept;

/// Whether `file` is read by the Clang front end (.hpp .h .hh .hxx) rather than as YAML.
bool is_header(std::string_view file) noexcept;

/// Parses (by the file's extension: .yaml/.yml, or a C++ header) and resolves the model file
/// whose text is `text`; `file` is how diagnostics name it. `compile_flags` are what a
/// compiler needs to read a header (-I, -D, -std, @responsefile); YAML ignores them.
/// nullopt when anything was reported. `included`, when given, receives the files a header
/// includes (for a depfile).
std::optional<ir::ModelSet> load(std::string_view text, const std::string& file,
                                 diag::Diagnostics& diags,
                                 const std::vector<std::string>& compile_flags = {},
                                 std::vector<std::string>* included = nullptr);

/// The command that regenerates the output of `input` into `out_dir`, as banners show it:
///   ("models/blog.yaml", "generated") -> "aormc generate models/blog.yaml --out generated"
///   ("models/library.hpp", "generated", {"-Iruntime/include"})
///     -> "aormc generate models/library.hpp --out generated -- -Iruntime/include"
std::string generate_command(std::string_view input, std::string_view out_dir,
                             const std::vector<std::string>& compile_flags = {});

/// The generated files for `set`, read from `input`, written to `out_dir`; `compile_flags`
/// only appear in the banner's command.
std::vector<emit::cpp::GeneratedFile> generate(const ir::ModelSet& set, std::string_view input,
                                               std::string_view out_dir,
                                               const std::vector<std::string>& compile_flags = {});

}  // namespace aormc
