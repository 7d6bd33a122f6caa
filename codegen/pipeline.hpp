// pipeline.hpp — the stages of aormc wired together, for main() and for tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "diag/diagnostics.hpp"
#include "emit/cpp/cpp.hpp"
#include "ir/model.hpp"

namespace aormc {

/// Parses (by the file's extension: .yaml/.yml) and resolves the model file whose text is
/// `text`; `file` is how diagnostics name it. nullopt when anything was reported.
std::optional<ir::ModelSet> load(std::string_view text, const std::string& file,
                                 diag::Diagnostics& diags);

/// The command that regenerates the output of `input` into `out_dir`, as banners show it:
///   ("models/blog.yaml", "generated") -> "aormc generate models/blog.yaml --out generated"
std::string generate_command(std::string_view input, std::string_view out_dir);

/// The generated files for `set`, read from `input`, written to `out_dir`.
std::vector<emit::cpp::GeneratedFile> generate(const ir::ModelSet& set, std::string_view input,
                                               std::string_view out_dir);

}  // namespace aormc
