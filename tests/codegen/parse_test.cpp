// The YAML front end and the IR: every type and option, and the naming rules.
#include <doctest/doctest.h>

#include "test_support.hpp"

using namespace aormc;
using namespace aormc::test;
using ir::FieldType;

namespace {

// Every field type and every option at least once.
const char* const kAllTypes = R"yaml(
namespace: zoo
models:
  Keeper:
    fields:
      name: { type: string, max_length: 80, db_column: keeper_name, index: true }
  Animal:
    fields:
      alive:    { type: bool, default: true }
      legs:     { type: int32, default: -4 }
      weight:   { type: int64, null: true }
      height:   { type: double, default: 1.5 }
      price:    { type: decimal, max_digits: 10, decimal_places: 2, null: true }
      nickname: { type: string, max_length: 30, unique: true, default: "Rex" }
      notes:    { type: text, default: "" }
      photo:    { type: bytes, null: true }
      born:     { type: date }
      seen_at:  { type: datetime, auto_now: true }
      feeding:  { type: time, null: true }
      tag:      { type: uuid, unique: true }
      extra:    { type: json, null: true }
      kind:     { type: string, choices: [cat, in-review, delete, 2fa], default: delete }
      keeper:   { type: foreign_key, to: Keeper, on_delete: protect, related_name: animals }
      backup:   { type: foreign_key, to: Keeper, null: true, on_delete: set_null, related_name: "+" }
      twin:     { type: one_to_one, to: Animal, null: true, on_delete: do_nothing }
      friends:  { type: many_to_many, to: Animal, related_name: befriended_by }
      carers:   { type: many_to_many, to: Keeper, db_table: zoo_care }
    meta:
      ordering: [-born, nickname]
      get_latest_by: -seen_at
      indexes: [[legs, weight]]
      unique_together: [[keeper, nickname]]
  Visit:
    fields:
      number: { type: int64, primary_key: true }
      animal: { type: foreign_key, to: Animal, on_delete: restrict }
)yaml";

}  // namespace

TEST_CASE("every field type parses to its IR type") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Model& a = model(set, "Animal");
  CHECK(column(a, "alive").type == FieldType::boolean);
  CHECK(column(a, "legs").type == FieldType::int32);
  CHECK(column(a, "weight").type == FieldType::int64);
  CHECK(column(a, "height").type == FieldType::float64);
  CHECK(column(a, "price").type == FieldType::decimal);
  CHECK(column(a, "nickname").type == FieldType::string);
  CHECK(column(a, "notes").type == FieldType::text);
  CHECK(column(a, "photo").type == FieldType::bytes);
  CHECK(column(a, "born").type == FieldType::date);
  CHECK(column(a, "seen_at").type == FieldType::datetime);
  CHECK(column(a, "feeding").type == FieldType::time);
  CHECK(column(a, "tag").type == FieldType::uuid);
  CHECK(column(a, "extra").type == FieldType::json);
  CHECK(column(a, "keeper").type == FieldType::foreign_key);
  CHECK(column(a, "twin").type == FieldType::one_to_one);
  REQUIRE(a.many_to_many.size() == 2);
  CHECK(a.many_to_many[0].name == "friends");
}

TEST_CASE("options are carried into the IR") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Model& a = model(set, "Animal");
  CHECK(column(a, "weight").nullable);
  CHECK_FALSE(column(a, "legs").nullable);
  CHECK(column(a, "nickname").unique);
  CHECK(column(a, "nickname").max_length == 30);
  CHECK(column(a, "price").max_digits == 10);
  CHECK(column(a, "price").decimal_places == 2);
  CHECK(column(a, "seen_at").auto_now);
  CHECK(column(a, "keeper").on_delete == ir::OnDelete::protect);
  CHECK(column(a, "backup").on_delete == ir::OnDelete::set_null);
  CHECK(column(a, "twin").on_delete == ir::OnDelete::do_nothing);
  CHECK(column(model(set, "Visit"), "animal").on_delete == ir::OnDelete::restrict_);
  CHECK(column(model(set, "Keeper"), "name").index);
  CHECK(column(model(set, "Keeper"), "name").column == "keeper_name");
}

TEST_CASE("defaults are type-checked and kept in their C++ spelling") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Model& a = model(set, "Animal");
  CHECK(column(a, "alive").default_value->text == "true");
  CHECK(column(a, "legs").default_value->text == "-4");
  CHECK(column(a, "height").default_value->text == "1.5");
  CHECK(column(a, "nickname").default_value->text == "Rex");
  CHECK(column(a, "notes").default_value->kind == ir::Default::Kind::string);
  CHECK(column(a, "kind").default_value->kind == ir::Default::Kind::enumerator);
  CHECK(column(a, "kind").default_value->text == "delete_");
  CHECK_FALSE(column(a, "weight").default_value.has_value());
}

TEST_CASE("choices become an enum named after the field, stored as written") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Field& kind = column(model(set, "Animal"), "kind");
  CHECK(kind.enum_name == "Kind");
  REQUIRE(kind.choices.size() == 4);
  CHECK(kind.choices[1].value == "in-review");
  CHECK(kind.choices[1].enumerator == "in_review");
  CHECK(kind.choices[2].enumerator == "delete_");
  CHECK(kind.choices[3].enumerator == "_2fa");
  CHECK(kind.max_length == 9);  // no max_length: the longest choice
}

TEST_CASE("a model gets an implicit int64 auto-increment id first unless it declares a primary key") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Model& a = model(set, "Animal");
  CHECK(a.columns[0].name == "id");
  CHECK(a.columns[0].primary_key);
  CHECK(a.columns[0].auto_increment);
  CHECK(a.pk == 0);
  const ir::Model& v = model(set, "Visit");
  CHECK(v.find_column("id") == -1);
  CHECK(v.columns[static_cast<std::size_t>(v.pk)].name == "number");
}

TEST_CASE("tables are <namespace>_<model snake> and foreign key columns end in _id") {
  ir::ModelSet set = load_ok(kAllTypes);
  CHECK(model(set, "Animal").table == "zoo_animal");
  CHECK(model(set, "Animal").label == "zoo.Animal");
  CHECK(column(model(set, "Animal"), "keeper").column == "keeper_id");
  CHECK(column(model(set, "Animal"), "twin").unique);  // one_to_one
  ir::ModelSet blog = load_ok(*read(source_path("models/blog.yaml")));
  CHECK(model(blog, "Article").table == "blog_article");
  CHECK(model(blog, "Comment").table == "blog_comment");
}

TEST_CASE("many_to_many fields get a link table with <model>_id columns, from_/to_ for self links") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Model& a = model(set, "Animal");
  const ir::ManyToMany& friends = a.many_to_many[0];
  CHECK(friends.table == "zoo_animal_friends");
  CHECK(friends.source_column == "from_animal_id");
  CHECK(friends.target_column == "to_animal_id");
  const ir::ManyToMany& carers = a.many_to_many[1];
  CHECK(carers.table == "zoo_care");
  CHECK(carers.source_column == "animal_id");
  CHECK(carers.target_column == "keeper_id");
}

TEST_CASE("reverse relation names default to <model>_set, <model> for one_to_one, '+' hides them") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Model& keeper = model(set, "Keeper");
  std::vector<std::string> names;
  for (const ir::ReverseRelation& r : keeper.reverse) names.push_back(r.name);
  CHECK(names == std::vector<std::string>{"animals", "animal_set"});  // backup is "+"
  CHECK(column(model(set, "Animal"), "backup").related_name.empty());
  const ir::Model& animal = model(set, "Animal");
  names.clear();
  for (const ir::ReverseRelation& r : animal.reverse) names.push_back(r.name);
  CHECK(names == std::vector<std::string>{"animal", "befriended_by", "visit_set"});
}

TEST_CASE("meta ordering, get_latest_by, indexes and unique_together resolve to columns") {
  ir::ModelSet set = load_ok(kAllTypes);
  const ir::Model& a = model(set, "Animal");
  REQUIRE(a.ordering.size() == 2);
  CHECK(a.columns[static_cast<std::size_t>(a.ordering[0].column)].name == "born");
  CHECK(a.ordering[0].desc);
  CHECK_FALSE(a.ordering[1].desc);
  REQUIRE(a.get_latest_by.has_value());
  CHECK(a.get_latest_by->desc);
  std::vector<std::string> names;
  for (const ir::Index& i : a.indexes) names.push_back(i.name + (i.unique ? " unique" : ""));
  CHECK(names == std::vector<std::string>{"zoo_animal_keeper_id_idx", "zoo_animal_backup_id_idx",
                                          "zoo_animal_legs_weight_idx",
                                          "zoo_animal_keeper_id_nickname_uniq unique"});
}

TEST_CASE("meta.table overrides the table name and a nested namespace prefixes tables") {
  ir::ModelSet set = load_ok(R"yaml(
namespace: shop::v1
models:
  Product:
    fields:
      name: { type: text }
  Order:
    fields:
      total: { type: int64 }
    meta:
      table: orders
)yaml");
  CHECK(model(set, "Product").table == "shop_v1_product");
  CHECK(model(set, "Order").table == "orders");
}

TEST_CASE("models are created after the models they reference") {
  ir::ModelSet set = load_ok(R"yaml(
namespace: t
models:
  C: { fields: { b: { type: foreign_key, to: B, on_delete: cascade } } }
  B: { fields: { a: { type: foreign_key, to: A, on_delete: cascade } } }
  A: { fields: { name: { type: text } } }
)yaml");
  std::vector<std::string> order;
  for (int m : set.creation_order()) order.push_back(set.models[static_cast<std::size_t>(m)].name);
  CHECK(order == std::vector<std::string>{"A", "B", "C"});
}

TEST_CASE("an explicit through model supplies the link table and its columns") {
  ir::ModelSet set = load_ok(R"yaml(
namespace: t
models:
  Person: { fields: { name: { type: text } } }
  Group:
    fields:
      members: { type: many_to_many, to: Person, through: Membership, related_name: groups }
  Membership:
    fields:
      person: { type: foreign_key, to: Person, on_delete: cascade, related_name: memberships }
      group:  { type: foreign_key, to: Group, on_delete: cascade, related_name: memberships }
)yaml");
  const ir::ManyToMany& m = model(set, "Group").many_to_many[0];
  CHECK(m.table == "t_membership");
  CHECK(m.source_column == "group_id");
  CHECK(m.target_column == "person_id");
  CHECK(m.through == 2);
}
