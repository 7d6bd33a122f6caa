#include "migrate/load.hpp"

#include "frontend/yaml/parse.hpp"
#include "ir/resolve.hpp"
#include "pipeline.hpp"
#if AORM_WITH_CLANG
#include "frontend/clang/parse.hpp"
#endif

namespace aormc::migrate {

std::optional<ir::ModelSetSpec> load_spec(std::string_view text, const std::string& file, diag::Diagnostics& diags,
                                          const std::vector<std::string>& compile_flags) {
  std::optional<ir::ModelSetSpec> spec;
  if (is_header(file)) {
#if AORM_WITH_CLANG
    spec = annotated::parse(text, file, compile_flags, diags, nullptr);
#else
    (void)compile_flags;
    diags.error({file, 1, 1}, "this aormc was built without the Clang front end, which reads annotated C++ headers");
#endif
  } else {
    spec = yaml::parse(text, file, diags);
  }
  if (!spec || diags.has_errors()) return std::nullopt;
  if (!ir::resolve(*spec, diags)) return std::nullopt;
  return spec;
}

}  // namespace aormc::migrate
