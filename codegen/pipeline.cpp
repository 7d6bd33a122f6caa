#include "pipeline.hpp"

#include "frontend/yaml/parse.hpp"
#include "ir/resolve.hpp"

namespace aormc {

std::optional<ir::ModelSet> load(std::string_view text, const std::string& file,
                                 diag::Diagnostics& diags) {
  const bool yaml = file.ends_with(".yaml") || file.ends_with(".yml");
  if (!yaml) {
    diags.error({file, 0, 0}, "unknown model file type (aormc reads .yaml and .yml files)");
    return std::nullopt;
  }
  std::optional<ir::ModelSetSpec> spec = yaml::parse(text, file, diags);
  if (!spec) return std::nullopt;
  std::optional<ir::ModelSet> set = ir::resolve(*spec, diags);
  if (diags.has_errors()) return std::nullopt;  // front-end errors leave a spec that resolves
  return set;
}

std::string generate_command(std::string_view input, std::string_view out_dir) {
  return "aormc generate " + std::string(input) + " --out " + std::string(out_dir);
}

std::vector<emit::cpp::GeneratedFile> generate(const ir::ModelSet& set, std::string_view input,
                                               std::string_view out_dir) {
  return emit::cpp::generate(set, {std::string(input), generate_command(input, out_dir)});
}

}  // namespace aormc
