#include "pipeline.hpp"

#include "frontend/yaml/parse.hpp"
#include "ir/resolve.hpp"
#if AORM_WITH_CLANG
#include "frontend/clang/parse.hpp"
#endif

namespace aormc {

bool has_clang_front_end() noexcept {
#if AORM_WITH_CLANG
  return true;
#else
  return false;
#endif
}

bool is_header(std::string_view file) noexcept {
  for (std::string_view ext : {".hpp", ".h", ".hh", ".hxx"})
    if (file.ends_with(ext)) return true;
  return false;
}

std::optional<ir::ModelSet> load(std::string_view text, const std::string& file,
                                 diag::Diagnostics& diags,
                                 const std::vector<std::string>& compile_flags,
                                 std::vector<std::string>* included) {
  std::optional<ir::ModelSetSpec> spec;
  if (file.ends_with(".yaml") || file.ends_with(".yml")) {
    spec = yaml::parse(text, file, diags);
  } else if (is_header(file)) {
#if AORM_WITH_CLANG
    spec = annotated::parse(text, file, compile_flags, diags, included);
#else
    (void)compile_flags;
    (void)included;
    diags.error({file, 1, 1}, "this aormc was built without the Clang front end, which reads "
                              "annotated C++ headers (configure aorm with LLVM/Clang 19 and "
                              "-DAORM_WITH_CLANG=ON)");
#endif
  } else {
    diags.error({file, 1, 1}, "unknown model file type (aormc reads .yaml and .yml files, and "
                              "annotated C++ headers: .hpp .h .hh .hxx)");
  }
  if (!spec) return std::nullopt;
  std::optional<ir::ModelSet> set = ir::resolve(*spec, diags);
  if (diags.has_errors()) return std::nullopt;  // front-end errors leave a spec that resolves
  return set;
}

std::string generate_command(std::string_view input, std::string_view out_dir,
                             const std::vector<std::string>& compile_flags) {
  std::string command = "aormc generate " + std::string(input) + " --out " + std::string(out_dir);
  if (!compile_flags.empty()) command += " --";
  for (const std::string& flag : compile_flags) command += " " + flag;
  return command;
}

std::vector<emit::cpp::GeneratedFile> generate(const ir::ModelSet& set, std::string_view input,
                                               std::string_view out_dir,
                                               const std::vector<std::string>& compile_flags) {
  return emit::cpp::generate(set, {std::string(input), generate_command(input, out_dir, compile_flags)});
}

}  // namespace aormc
