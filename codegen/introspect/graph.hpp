// introspect/graph.hpp — `aormc graph MODELS --format mermaid|dot`: the models of a model file,
// their fields and their relations as a diagram (API.md §11).
//
// Deterministic: models in declaration order, fields in column order (the implicit `id`
// first), relations in the order of the fields that make them. A field reads `type name`
// with PK / FK / UK marks; a relation is drawn from the model holding the key to its
// target and named after the field:
//   foreign_key   Author ||--o{ Article : "author"      (|o--o{ when the key is nullable)
//   one_to_one    User   ||--o| Profile : "user"        (|o--o| when nullable)
//   many_to_many  Article }o--o{ Tag    : "tags"        (through a model: "tags (through X)")
#pragma once

#include <string>

#include "ir/model.hpp"

namespace aormc::introspect {

enum class GraphFormat { mermaid, dot };

/// The diagram of `set`. Mermaid: an `erDiagram` (without the ```mermaid fence). Dot: a
/// `digraph` of record nodes, one edge per relation.
std::string graph(const ir::ModelSet& set, GraphFormat format);

}  // namespace aormc::introspect
