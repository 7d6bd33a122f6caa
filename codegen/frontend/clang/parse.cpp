// The Clang front end's LibTooling part: the only translation unit of aormc that sees Clang
// and LLVM types (compiling it takes ~15 s; keep everything else out of it).
#include "frontend/clang/parse.hpp"

#include <filesystem>
#include <set>
#include <utility>

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/ASTMatchers/ASTMatchFinder.h>
#include <clang/ASTMatchers/ASTMatchers.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Driver/Driver.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/Allocator.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/StringSaver.h>

#include "frontend/clang/options.hpp"

namespace aormc::annotated {

namespace {

using namespace clang::ast_matchers;
using ir::Spanned;

// The flags aormc gives Clang around the caller's own (theirs come later, so they win).
namespace opts {
// Before the caller's flags: read the input as a C++ header (no "#pragma once in main
// file"), in the language version aorm needs unless told otherwise.
constexpr const char* kLanguage = "-xc++-header";
constexpr const char* kStandard = "-std=c++20";
constexpr const char* kResourceDir = "-resource-dir=";  // + resource_dir()
// After them: warnings are the real compile's business (and -Werror must not turn them into
// generator errors); without carets Clang does not print "N errors generated." itself.
constexpr const char* kNoWarnings = "-w";
constexpr const char* kNoCarets = "-fno-caret-diagnostics";
}  // namespace opts

// Bound node ids.
namespace bind {
constexpr char kModel[] = "model";            // the CXXRecordDecl of a model
constexpr char kMarker[] = "marker";          // its `objects`, which carries AORM_MODEL's options
constexpr char kStrayField[] = "stray_field"; // AORM_FIELD outside a model
}  // namespace bind

// The annotation kinds aorm/model.hpp writes.
constexpr llvm::StringLiteral kModelAnnotation("aorm:model");
constexpr llvm::StringLiteral kFieldAnnotation("aorm:field");

const clang::AnnotateAttr* annotation(const clang::Decl& decl, llvm::StringRef kind) {
  for (const clang::AnnotateAttr* attr : decl.specific_attrs<clang::AnnotateAttr>())
    if (attr->getAnnotation() == kind) return attr;
  return nullptr;
}

// The macro's signature names Finder and Builder, which this matcher does not need.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
AST_MATCHER_P(clang::Decl, hasAormAnnotation, std::string, kind) {
  return annotation(Node, kind) != nullptr;
}
#pragma GCC diagnostic pop

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// "std::optional", "aorm::ForeignKey", "std::basic_string" (inline namespaces such as
// libstdc++'s __cxx11 left out).
std::string qualified_name(const clang::NamedDecl& decl) {
  clang::PrintingPolicy policy(decl.getASTContext().getLangOpts());
  policy.SuppressInlineNamespace = true;
  std::string out;
  llvm::raw_string_ostream os(out);
  decl.printQualifiedName(os, policy);
  return os.str();
}

// The class template `type` specializes ("std::optional"), or "".
std::string template_name(clang::QualType type) {
  const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
      type.getCanonicalType()->getAsCXXRecordDecl());
  return spec ? qualified_name(*spec->getSpecializedTemplate()) : "";
}

// Template argument `i` of `type`: as written when the type was written as a template-id
// (`std::optional<aorm::Date>` keeps `aorm::Date`), else the canonical one.
std::optional<clang::QualType> template_arg(clang::QualType type, unsigned i) {
  if (const auto* written = type->getAs<clang::TemplateSpecializationType>()) {
    llvm::ArrayRef<clang::TemplateArgument> args = written->template_arguments();
    if (i < args.size() && args[i].getKind() == clang::TemplateArgument::Type) return args[i].getAsType();
  }
  if (const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(
          type.getCanonicalType()->getAsCXXRecordDecl())) {
    const clang::TemplateArgumentList& args = spec->getTemplateArgs();
    if (i < args.size() && args[i].getKind() == clang::TemplateArgument::Type) return args[i].getAsType();
  }
  return std::nullopt;
}

// aorm's value types that are aliases (recognised by the alias name, through any user alias
// of them) and classes (by the class name).
constexpr std::pair<std::string_view, std::string_view> kAormAliases[] = {
    {"aorm::Date", "date"}, {"aorm::DateTime", "datetime"}, {"aorm::Bytes", "bytes"}};
constexpr std::pair<std::string_view, std::string_view> kAormClasses[] = {
    {"aorm::Time", "time"}, {"aorm::Decimal", "decimal"}, {"aorm::Uuid", "uuid"}, {"aorm::Json", "json"}};

std::optional<std::string_view> aorm_alias(clang::QualType type) {
  while (const auto* alias = type->getAs<clang::TypedefType>()) {
    const std::string name = qualified_name(*alias->getDecl());
    for (const auto& [spelling, field_type] : kAormAliases)
      if (spelling == name) return field_type;
    type = alias->desugar();
  }
  return std::nullopt;
}

constexpr std::string_view kSupportedTypes =
    "field types: bool, std::int32_t, std::int64_t, double, std::string, aorm::Date, "
    "aorm::DateTime, aorm::Time, aorm::Decimal, aorm::Uuid, aorm::Json, aorm::Bytes, a nested "
    "enum class, std::optional of those, aorm::ForeignKey<T>, aorm::ManyToMany<Model, T>";

// Members AORM_MODEL declares; anything else in a model but its fields and their enums
// would be missing from the generated struct.
constexpr std::string_view kMacroMembers[] = {"objects", "f", "Fields", "DoesNotExist",
                                              "MultipleObjectsReturned", "asave", "adelete",
                                              "arefresh_from_db"};

// Turns the matched models into ir::ModelSpecs, in declaration order.
class ModelCollector : public MatchFinder::MatchCallback {
 public:
  ModelCollector(const std::string& file, ir::ModelSetSpec& spec, diag::Diagnostics& diags)
      : file_(file), spec_(spec), diags_(diags) {}

  void run(const MatchFinder::MatchResult& result) override {
    sm_ = result.SourceManager;
    ctx_ = result.Context;
    if (const auto* record = result.Nodes.getNodeAs<clang::CXXRecordDecl>(bind::kModel)) {
      model(*record, *result.Nodes.getNodeAs<clang::VarDecl>(bind::kMarker));
    } else if (const auto* field = result.Nodes.getNodeAs<clang::FieldDecl>(bind::kStrayField)) {
      const auto* owner = llvm::dyn_cast<clang::RecordDecl>(field->getDeclContext());
      const std::string owner_name = owner ? owner->getNameAsString() : "";
      error(where(field->getLocation()),
            "AORM_FIELD on " + in_quotes(field->getNameAsString()) + " of " + in_quotes(owner_name) +
                ", which is not a model",
            {{where(field->getLocation()), "add AORM_MODEL(" + owner_name + ") to " + in_quotes(owner_name)}});
    }
  }

 private:
  // Where `loc` was written: macro expansions count at the macro's use, the main file is
  // named as the user named it.
  diag::Location where(clang::SourceLocation loc) const {
    if (loc.isInvalid()) return {file_, 1, 1};
    loc = sm_->getExpansionLoc(loc);
    const clang::PresumedLoc p = sm_->getPresumedLoc(loc);
    if (p.isInvalid()) return {file_, 1, 1};
    return {sm_->isWrittenInMainFile(loc) ? file_ : std::string(p.getFilename()),
            static_cast<int>(p.getLine()), static_cast<int>(p.getColumn())};
  }

  void error(const diag::Location& at, std::string message, std::vector<diag::Note> notes = {}) {
    diags_.error(at, std::move(message), std::move(notes));
  }

  void model(const clang::CXXRecordDecl& record, const clang::VarDecl& marker) {
    ir::ModelSpec m;
    m.name = {record.getNameAsString(), where(record.getLocation())};
    const std::string& name = m.name.value;
    namespace_of(record, m.name.where);
    if (record.getDescribedClassTemplate() || llvm::isa<clang::ClassTemplateSpecializationDecl>(record))
      error(m.name.where, "model " + in_quotes(name) + " is a class template");
    if (record.getNumBases() > 0)
      error(m.name.where, "model " + in_quotes(name) + " has a base class; a model's members must "
                                                    "all be written in the model");
    if (const clang::AnnotateAttr* attr = annotation(marker, kModelAnnotation))
      if (auto options = options_of(*attr, "AORM_MODEL")) apply_model_options(*options, name, m.meta, diags_);

    std::set<const clang::EnumDecl*> used_enums;
    for (const clang::FieldDecl* field : record.fields()) m.fields.push_back(this->field(record, *field, used_enums));
    other_members(record, used_enums);
    spec_.models.push_back(std::move(m));
  }

  // The model's namespace is the file's; every model must share it.
  void namespace_of(const clang::CXXRecordDecl& record, const diag::Location& at) {
    const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(record.getDeclContext());
    if (!ns || ns->isAnonymousNamespace()) {
      error(at, "model " + in_quotes(record.getName()) + " must be declared directly in a named "
                                                       "namespace (the generated code's namespace)");
      return;
    }
    const std::string qualified = qualified_name(*ns);
    if (spec_.ns.value.empty()) {
      spec_.ns = {qualified, where(ns->getLocation())};
      first_model_ = at;
    } else if (spec_.ns.value != qualified) {
      error(at, "model " + in_quotes(record.getName()) + " is in namespace " + in_quotes(qualified) +
                    ", but the header's first model is in " + in_quotes(spec_.ns.value),
            {{first_model_, "first model declared here; one header holds one namespace"}});
    }
  }

  // Members that are neither fields nor what AORM_MODEL declares would exist in the
  // annotated struct but not in the generated one that user code sees.
  void other_members(const clang::CXXRecordDecl& record, const std::set<const clang::EnumDecl*>& used_enums) {
    for (const clang::Decl* d : record.decls()) {
      if (d->isImplicit() || llvm::isa<clang::FieldDecl, clang::AccessSpecDecl, clang::StaticAssertDecl>(d))
        continue;
      const auto* named = llvm::dyn_cast<clang::NamedDecl>(d);
      const std::string member = named ? named->getNameAsString() : "";
      if (const auto* e = llvm::dyn_cast<clang::EnumDecl>(d)) {
        if (used_enums.count(e) == 0)
          error(where(e->getLocation()), "enum " + in_quotes(member) + " of model " + in_quotes(record.getName()) +
                                             " is not the type of any field",
                {{where(e->getLocation()), "the generated struct only has the enums of fields with choices"}});
        continue;
      }
      bool from_macro = false;
      for (std::string_view m : kMacroMembers) from_macro = from_macro || m == member;
      if (from_macro) continue;
      error(where(d->getLocation()),
            (member.empty() ? std::string("a member") : "member " + in_quotes(member)) + " of model " +
                in_quotes(record.getName()) + " is not part of the generated struct",
            {{where(d->getLocation()), "user code sees the generated " + std::string(record.getName()) +
                                           ", which has only the fields and aorm's members"}});
    }
  }

  ir::FieldSpec field(const clang::CXXRecordDecl& record, const clang::FieldDecl& field,
                      std::set<const clang::EnumDecl*>& used_enums) {
    ir::FieldSpec fs;
    fs.name = {field.getNameAsString(), where(field.getLocation())};
    const std::size_t errors_before = diags_.error_count();
    if (field.isBitField() || field.isAnonymousStructOrUnion() || fs.name.value.empty()) {
      error(fs.name.where, "a model cannot have bit-fields or anonymous members");
      fs.broken = true;
      return fs;
    }
    if (const clang::AnnotateAttr* attr = annotation(field, kFieldAnnotation))
      if (auto options = options_of(*attr, "AORM_FIELD")) apply_field_options(*options, fs, diags_);
    if (map_type(record, field, fs, used_enums)) default_of(field, fs);
    fs.broken = diags_.error_count() != errors_before;
    return fs;
  }

  // Sets fs.type (and null, to, choices) from the member's type; AORM_FIELD(one_to_one)
  // (already in fs.type) turns a foreign key into a one-to-one relation. False when the
  // type is not one aorm stores, or one_to_one is on something else.
  bool map_type(const clang::CXXRecordDecl& record, const clang::FieldDecl& field, ir::FieldSpec& fs,
                std::set<const clang::EnumDecl*>& used_enums) {
    std::optional<diag::Location> one_to_one;
    if (fs.type && fs.type->value == "one_to_one") one_to_one = fs.type->where;
    fs.type.reset();
    if (!map_member_type(record, field, fs, used_enums)) return false;
    if (!one_to_one) return true;
    if (fs.type->value != "foreign_key") {
      error(*one_to_one, "'one_to_one' on field " + in_quotes(fs.name.value) + ", which is not a foreign key",
            {{*one_to_one, "a one-to-one relation is a member of type aorm::ForeignKey<T> (or "
                           "aorm::ForeignKey<T, aorm::nullable>) with AORM_FIELD(one_to_one)"}});
      return false;
    }
    fs.type->value = "one_to_one";
    return true;
  }

  // map_type() without one_to_one.
  bool map_member_type(const clang::CXXRecordDecl& record, const clang::FieldDecl& field, ir::FieldSpec& fs,
                       std::set<const clang::EnumDecl*>& used_enums) {
    const diag::Location at = where(field.getInnerLocStart());  // `const` included
    const clang::QualType written = field.getType();
    const std::string& name = fs.name.value;
    auto unsupported = [&](std::string hint) {
      clang::PrintingPolicy policy(ctx_->getLangOpts());
      std::vector<diag::Note> notes;
      if (hint.empty()) notes.push_back({at, std::string(kSupportedTypes)});
      error(at, "unsupported member type " + in_quotes(written.getAsString(policy)) + " for field " +
                    in_quotes(name) + hint, std::move(notes));
      return false;
    };
    auto set_type = [&](std::string_view type) {
      fs.type = Spanned<std::string>{std::string(type), at};
      return true;
    };

    clang::QualType type = written;
    if (type.isConstQualified() || type.isVolatileQualified() || type->isReferenceType())
      return unsupported(" (a field is a plain, non-const member)");
    const bool nullable = template_name(type) == "std::optional";
    if (nullable) {
      type = *template_arg(type, 0);
      const std::string inner = template_name(type);
      if (inner == "aorm::ForeignKey")
        return unsupported(" (a nullable foreign key is aorm::ForeignKey<T, aorm::nullable>)");
      if (inner == "aorm::ManyToMany" || inner == "std::optional") return unsupported("");
      fs.null = Spanned<bool>{true, at};
    }

    if (std::optional<std::string_view> alias = aorm_alias(type)) return set_type(*alias);
    const clang::QualType canonical = type.getCanonicalType();
    if (const auto* builtin = canonical->getAs<clang::BuiltinType>()) {
      switch (builtin->getKind()) {
        case clang::BuiltinType::Bool: return set_type("bool");
        case clang::BuiltinType::Double: return set_type("double");
        case clang::BuiltinType::Int:
        case clang::BuiltinType::Long:
        case clang::BuiltinType::LongLong: {
          const std::uint64_t bits = ctx_->getTypeSize(canonical);
          if (bits == 32) return set_type("int32");
          if (bits == 64) return set_type("int64");
          return unsupported(" (use std::int32_t or std::int64_t)");
        }
        case clang::BuiltinType::Float:
        case clang::BuiltinType::LongDouble: return unsupported(" (use double)");
        default:
          if (builtin->isUnsignedInteger()) return unsupported(" (aorm stores signed integers: use std::int64_t)");
          if (builtin->isInteger()) return unsupported(" (use std::int32_t or std::int64_t)");
          return unsupported("");
      }
    }
    if (const auto* enum_type = canonical->getAs<clang::EnumType>()) {
      const clang::EnumDecl* e = enum_type->getDecl();
      used_enums.insert(e);  // even when rejected below: one error per mistake
      if (e->getDeclContext() != static_cast<const clang::DeclContext*>(&record))
        return unsupported(" (choices are an enum class declared inside the model)");
      if (!e->isScoped()) return unsupported(" (choices are an 'enum class', not a plain enum)");
      ir::NameList choices{{}, where(e->getLocation())};
      for (const clang::EnumConstantDecl* c : e->enumerators())
        choices.value.push_back({c->getNameAsString(), where(c->getLocation())});
      fs.choices = std::move(choices);
      fs.enum_name = Spanned<std::string>{e->getNameAsString(), where(e->getLocation())};
      return set_type("string");
    }

    const std::string tmpl = template_name(canonical);
    if (tmpl == "std::basic_string") {
      const std::optional<clang::QualType> ch = template_arg(canonical, 0);
      if (!ch || !(*ch)->isCharType()) return unsupported(" (use std::string)");
      return set_type(fs.max_length ? "string" : "text");
    }
    if (tmpl == "aorm::ForeignKey" || tmpl == "aorm::ManyToMany") {
      const bool fk = tmpl == "aorm::ForeignKey";
      const std::optional<clang::QualType> target = template_arg(canonical, fk ? 0 : 1);
      const clang::CXXRecordDecl* target_decl = target ? (*target)->getAsCXXRecordDecl() : nullptr;
      if (!target_decl) return unsupported("");
      fs.to = Spanned<std::string>{target_decl->getNameAsString(), at};
      if (fk) {
        const std::optional<clang::QualType> null_tag = template_arg(canonical, 1);
        const clang::CXXRecordDecl* tag = null_tag ? (*null_tag)->getAsCXXRecordDecl() : nullptr;
        if (tag && qualified_name(*tag) == "aorm::nullable") fs.null = Spanned<bool>{true, at};
        return set_type("foreign_key");
      }
      const std::optional<clang::QualType> owner = template_arg(canonical, 0);
      const clang::CXXRecordDecl* owner_decl = owner ? (*owner)->getAsCXXRecordDecl() : nullptr;
      if (!owner_decl || owner_decl->getCanonicalDecl() != record.getCanonicalDecl())
        return unsupported(" (the first argument of aorm::ManyToMany is the model itself: aorm::ManyToMany<" +
                           record.getNameAsString() + ", " + fs.to->value + ">)");
      return set_type("many_to_many");
    }
    if (const clang::CXXRecordDecl* decl = canonical->getAsCXXRecordDecl()) {
      const std::string qualified = qualified_name(*decl);
      for (const auto& [spelling, field_type] : kAormClasses)
        if (spelling == qualified) return set_type(field_type);
    }
    return unsupported("");
  }

  // Sets fs.default_value from the member initializer: a literal, an enumerator, an
  // integer or floating constant, or std::nullopt. `{}` and `T()` are no default.
  void default_of(const clang::FieldDecl& field, ir::FieldSpec& fs) {
    const clang::Expr* init = field.getInClassInitializer();
    if (!init) return;
    const clang::Expr* e = written_value(init);
    if (!e) return;
    ir::Scalar s;
    s.where = where(e->getBeginLoc());
    if (const auto* str = llvm::dyn_cast<clang::StringLiteral>(e); str && (str->isOrdinary() || str->isUTF8())) {
      s.text = str->getString().str();
      s.quoted = true;
    } else if (const auto* b = llvm::dyn_cast<clang::CXXBoolLiteralExpr>(e)) {
      s.text = b->getValue() ? "true" : "false";
    } else if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(e);
               ref && llvm::isa<clang::EnumConstantDecl>(ref->getDecl())) {
      s.text = ref->getDecl()->getNameAsString();
    } else if (ref && ref->getDecl()->getName() == "nullopt" && ref->getDecl()->isInStdNamespace()) {
      s.text = "null";
      s.is_null = true;
    } else if (clang::Expr::EvalResult r; e->getType()->isIntegerType() && e->EvaluateAsInt(r, *ctx_)) {
      s.text = e->getType()->isBooleanType() ? (r.Val.getInt().getBoolValue() ? "true" : "false")
                                             : llvm::toString(r.Val.getInt(), 10);
    } else if (llvm::APFloat f(0.0); e->getType()->isRealFloatingType() && e->EvaluateAsFloat(f, *ctx_)) {
      llvm::SmallString<32> text;
      f.toString(text);
      s.text = text.str().str();
    } else {
      error(s.where, "unsupported default value for field " + in_quotes(fs.name.value),
            {{s.where, "aormc reads literals, enumerators, integer and floating constants and "
                       "std::nullopt as defaults"}});
      return;
    }
    fs.default_value = std::move(s);
  }

  // The value an initializer spells, through implicit conversions and one-argument
  // constructions (`std::string s = "x"`, `std::optional<T> o{v}`); null for `{}`/`T()`.
  static const clang::Expr* written_value(const clang::Expr* e) {
    while (true) {
      e = e->IgnoreUnlessSpelledInSource()->IgnoreParens();
      if (const auto* list = llvm::dyn_cast<clang::InitListExpr>(e)) {
        if (list->getNumInits() == 0) return nullptr;
        if (list->getNumInits() != 1) return e;
        e = list->getInit(0);
      } else if (const auto* construct = llvm::dyn_cast<clang::CXXConstructExpr>(e)) {
        unsigned written = 0;
        const clang::Expr* arg = nullptr;
        for (const clang::Expr* a : construct->arguments()) {
          if (llvm::isa<clang::CXXDefaultArgExpr>(a)) continue;
          ++written;
          arg = a;
        }
        if (written == 0) return nullptr;
        if (written != 1) return e;
        e = arg;
      } else if (const auto* cast = llvm::dyn_cast<clang::CXXFunctionalCastExpr>(e)) {
        e = cast->getSubExpr();
      } else {
        return e;
      }
    }
  }

  // The options of an AORM_MODEL/AORM_FIELD annotation. They are read from the macro's
  // arguments in the source when the macro was used directly (so every option has its own
  // column), else from the annotation's string (every option then points at the macro).
  std::optional<std::vector<Option>> options_of(const clang::AnnotateAttr& attr, llvm::StringRef macro) {
    const clang::SourceLocation at = sm_->getExpansionLoc(attr.getLocation());
    const auto [file_id, offset] = sm_->getDecomposedLoc(at);
    bool invalid = false;
    const llvm::StringRef rest = sm_->getBufferData(file_id, &invalid).substr(offset);
    if (!invalid && rest.starts_with(macro)) {
      std::size_t open = macro.size();
      while (open < rest.size() && (rest[open] == ' ' || rest[open] == '\t')) ++open;
      if (open < rest.size() && rest[open] == '(') {
        const llvm::StringRef text = rest.substr(open + 1);
        return parse_options(std::string_view(text.data(), text.size()),
                             [&](std::size_t i) { return where(at.getLocWithOffset(static_cast<int>(open + 1 + i))); },
                             diags_);
      }
    }
    std::string text;
    if (attr.args_size() > 0) {
      const clang::Expr* arg = *attr.args_begin();
      if (const auto* constant = llvm::dyn_cast<clang::ConstantExpr>(arg)) arg = constant->getSubExpr();
      if (const auto* str = llvm::dyn_cast<clang::StringLiteral>(arg->IgnoreParenImpCasts()))
        text = str->getString().str();
    }
    text += ")";
    return parse_options(text, [&](std::size_t) { return where(at); }, diags_);
  }

  const std::string& file_;
  ir::ModelSetSpec& spec_;
  diag::Diagnostics& diags_;
  const clang::SourceManager* sm_ = nullptr;
  clang::ASTContext* ctx_ = nullptr;
  diag::Location first_model_;
};

// Collects Clang's own errors (and their notes) as aormc diagnostics.
class CompilerErrors : public clang::DiagnosticConsumer {
 public:
  explicit CompilerErrors(const std::string& file) : file_(file) {}

  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Note) return;
    llvm::SmallString<256> message;
    info.FormatDiagnostic(message);
    diag::Location at{file_, 1, 1};
    if (info.hasSourceManager() && info.getLocation().isValid()) {
      const clang::SourceManager& sm = info.getSourceManager();
      const clang::SourceLocation loc = sm.getFileLoc(info.getLocation());
      const clang::PresumedLoc p = sm.getPresumedLoc(loc);
      if (p.isValid())
        at = {sm.isWrittenInMainFile(loc) ? file_ : std::string(p.getFilename()),
              static_cast<int>(p.getLine()), static_cast<int>(p.getColumn())};
    }
    if (level == clang::DiagnosticsEngine::Note) {
      if (!errors_.empty()) errors_.back().notes.push_back({at, message.str().str()});
    } else if (level >= clang::DiagnosticsEngine::Error) {
      errors_.push_back({at, message.str().str(), {}});
    }
  }

  const std::vector<diag::Diagnostic>& errors() const { return errors_; }

 private:
  const std::string& file_;
  std::vector<diag::Diagnostic> errors_;
};

// Records every file the header includes, for a depfile (regenerate when one changes).
class IncludedFiles : public clang::PPCallbacks {
 public:
  explicit IncludedFiles(std::vector<std::string>& out) : out_(out) {}
  void InclusionDirective(clang::SourceLocation, const clang::Token&, llvm::StringRef, bool,
                          clang::CharSourceRange, clang::OptionalFileEntryRef file, llvm::StringRef,
                          llvm::StringRef, const clang::Module*, bool,
                          clang::SrcMgr::CharacteristicKind) override {
    if (file) out_.push_back(file->getName().str());
  }

 private:
  std::vector<std::string>& out_;
};

class RecordIncludes : public clang::tooling::SourceFileCallbacks {
 public:
  explicit RecordIncludes(std::vector<std::string>* out) : out_(out) {}
  bool handleBeginSource(clang::CompilerInstance& ci) override {
    if (out_) ci.getPreprocessor().addPPCallbacks(std::make_unique<IncludedFiles>(*out_));
    return true;
  }

 private:
  std::vector<std::string>* out_;
};

// `flags` with `@file` arguments replaced by the flags in the file (GNU quoting).
std::optional<std::vector<std::string>> expand_response_files(const std::vector<std::string>& flags,
                                                              const std::string& file,
                                                              diag::Diagnostics& diags) {
  llvm::BumpPtrAllocator arena;
  llvm::StringSaver saver(arena);
  llvm::SmallVector<const char*, 64> argv;
  for (const std::string& flag : flags) argv.push_back(saver.save(flag).data());
  if (!llvm::cl::ExpandResponseFiles(saver, llvm::cl::TokenizeGNUCommandLine, argv)) {
    diags.error({file, 1, 1}, "cannot read a response file among the compiler flags");
    return std::nullopt;
  }
  return std::vector<std::string>(argv.begin(), argv.end());
}

}  // namespace

std::string resource_dir() { return clang::driver::Driver::GetResourcesPath(AORM_CLANG_EXECUTABLE); }

std::optional<ir::ModelSetSpec> parse(std::string_view text, const std::string& file,
                                      const std::vector<std::string>& flags,
                                      diag::Diagnostics& diags,
                                      std::vector<std::string>* included) {
  namespace tooling = clang::tooling;
  std::optional<std::vector<std::string>> args = expand_response_files(flags, file, diags);
  if (!args) return std::nullopt;

  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  const std::string path = std::filesystem::absolute(file, ec).lexically_normal().string();
  tooling::FixedCompilationDatabase database(cwd.string(), *args);
  tooling::ClangTool tool(database, {path});
  tool.mapVirtualFile(path, llvm::StringRef(text.data(), text.size()));
  tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
      {opts::kLanguage, opts::kStandard, opts::kResourceDir + resource_dir()},
      tooling::ArgumentInsertPosition::BEGIN));
  tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
      {opts::kNoWarnings, opts::kNoCarets}, tooling::ArgumentInsertPosition::END));
  CompilerErrors compiler_errors(file);
  tool.setDiagnosticConsumer(&compiler_errors);
  tool.setPrintErrorMessage(false);

  // A model: a struct written in this header whose `objects` (declared by AORM_MODEL)
  // carries the model annotation.
  const auto in_this_header = isExpansionInMainFile();
  const auto model_marker = varDecl(hasName("objects"), hasAormAnnotation(kModelAnnotation.str()));
  const auto model = cxxRecordDecl(isDefinition(), in_this_header, has(model_marker.bind(bind::kMarker)));
  // AORM_FIELD on a member of a struct that is not a model: a forgotten AORM_MODEL.
  const auto stray_field = fieldDecl(in_this_header, hasAormAnnotation(kFieldAnnotation.str()),
                                     unless(hasParent(model)));

  ir::ModelSetSpec spec;
  spec.file = file;
  diag::Diagnostics model_diags;
  ModelCollector collector(file, spec, model_diags);
  MatchFinder finder;
  finder.addMatcher(traverse(clang::TK_IgnoreUnlessSpelledInSource, model.bind(bind::kModel)), &collector);
  finder.addMatcher(traverse(clang::TK_IgnoreUnlessSpelledInSource, stray_field.bind(bind::kStrayField)),
                    &collector);
  RecordIncludes record_includes(included);
  const int status = tool.run(tooling::newFrontendActionFactory(&finder, &record_includes).get());

  // A header that does not compile describes nothing reliably: report Clang's errors only.
  if (!compiler_errors.errors().empty() || status != 0) {
    for (const diag::Diagnostic& d : compiler_errors.errors()) diags.error(d.where, d.message, d.notes);
    if (!diags.has_errors()) diags.error({file, 1, 1}, "clang could not compile the header");
    return std::nullopt;
  }
  for (const diag::Diagnostic& d : model_diags.errors()) diags.error(d.where, d.message, d.notes);
  if (spec.models.empty()) {
    diags.error({file, 1, 1}, "no models: no struct of this header uses AORM_MODEL(...)");
    return std::nullopt;
  }
  return spec;
}

}  // namespace aormc::annotated
