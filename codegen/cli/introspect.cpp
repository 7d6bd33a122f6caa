#include "cli/introspect.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "introspect/graph.hpp"
#include "pipeline.hpp"

namespace aormc::cli {

namespace {

int usage(std::string_view message) {
  std::cerr << "aormc: error: " << message << "\nusage:\n" << kIntrospectUsage;
  return 1;
}

}  // namespace

int graph(const std::vector<std::string>& all) {
  auto dashes = std::find(all.begin(), all.end(), "--");
  const std::vector<std::string> args(all.begin(), dashes);
  const std::vector<std::string> flags(dashes == all.end() ? all.end() : dashes + 1, all.end());
  std::string input, format;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size()) {
      format = args[++i];
    } else if (input.empty() && !args[i].starts_with("-")) {
      input = args[i];
    } else {
      return usage("unexpected argument '" + args[i] + "'");
    }
  }
  if (input.empty() || (format != "mermaid" && format != "dot"))
    return usage("graph needs MODELS and --format mermaid or --format dot");
  std::ifstream in(input, std::ios::binary);
  if (!in) {
    std::cerr << input << ": error: cannot read the file\n";
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = load(text.str(), input, diags, flags);
  if (!set) {
    std::cerr << diags.render();
    return 1;
  }
  std::cout << introspect::graph(*set, format == "mermaid" ? introspect::GraphFormat::mermaid
                                                           : introspect::GraphFormat::dot);
  return std::cout.flush() ? 0 : 1;
}

int inspectdb(const std::vector<std::string>&) { return usage("inspectdb is not built yet"); }

}  // namespace aormc::cli
