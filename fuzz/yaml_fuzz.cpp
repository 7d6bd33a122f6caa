// yaml_fuzz — the YAML front end, the IR resolver/validator and the emitters on arbitrary
// bytes. Contract checked: load() either returns a model set or reports at least one
// error; never both, never neither; a loaded set always generates its three files, non-empty.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  aormc::diag::Diagnostics diags;
  auto set = aormc::load(text, "fuzz.yaml", diags);
  if (set.has_value() == diags.has_errors()) std::abort();  // exactly one of the two
  if (!set) {
    if (diags.render().empty()) std::abort();
    return 0;
  }
  const auto files = aormc::generate(*set, "fuzz.yaml", "out");
  if (files.size() != 3) std::abort();
  for (const auto& f : files)
    if (f.content.empty()) std::abort();
  return 0;
}
