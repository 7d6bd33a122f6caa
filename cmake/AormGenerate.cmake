# aorm_generate(<target> [MODELS <model files...>] [HEADERS <annotated headers...>]
#               [OUTPUT_DIR <dir>])
#
# Creates a static library <target> holding the code aormc generates for each model file,
# linked to aorm::runtime. For a model file whose namespace is `blog`, user code includes
# "blog/models.hpp". The generated sources are rebuilt when a model file or aormc changes.
#
#   find_package(aorm REQUIRED)          # or add_subdirectory(aorm)
#   aorm_generate(blog_models MODELS models/blog.yaml)
#   aorm_generate(library_models HEADERS models/library.hpp)   # annotated C++ (API.md §1b)
#   aorm_generate(blog_models MODELS models/blog.yaml MIGRATIONS migrations/blog)
#     also generates "blog/migrations.hpp" (blog::migrations, for db.amigrate); the build fails,
#     naming the makemigrations command to run, when the model file has changes no migration holds
#   target_link_libraries(app PRIVATE blog_models library_models)
#
# Beside models.hpp, aormc writes "<ns>/json.hpp": Boost.JSON conversions of every model
# (boost::json::value_from / value_to; docs/json.md). It is header-only and <target> does not
# compile it, so <target> never needs Boost; code that includes it links aorm::json too:
#   target_link_libraries(app PRIVATE blog_models aorm::json)   # #include "blog/json.hpp"
#
# HEADERS need an aormc built with the Clang front end (AORM_WITH_CLANG). aormc compiles
# each header with <target>'s include directories and compile definitions (aorm::runtime's
# come with it; add your own with target_include_directories(<target> PRIVATE ...)); they
# reach aormc through a response file, <OUTPUT_DIR>/<target>.aormc-flags. The output folder
# is the header's namespace: the first `namespace name {` line of the header.
include_guard(GLOBAL)

# The migrations of one model file (aorm_generate's MIGRATIONS): <ns>/migrations.{hpp,cpp},
# regenerated when the model file, a migration file or aormc changes. Uses the caller's
# ARG_MIGRATIONS, ARG_OUTPUT_DIR, _aormc, _aormc_dep, _sources and _headers.
macro(_aorm_generate_migrations model_abs ns_dir)
  get_filename_component(_mig_dir "${ARG_MIGRATIONS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  file(GLOB _mig_files CONFIGURE_DEPENDS "${_mig_dir}/*.yaml")
  set(_mig_hpp "${ARG_OUTPUT_DIR}/${ns_dir}/migrations.hpp")
  set(_mig_cpp "${ARG_OUTPUT_DIR}/${ns_dir}/migrations.cpp")
  add_custom_command(
    OUTPUT "${_mig_hpp}" "${_mig_cpp}"
    COMMAND "${_aormc}" generate-migrations "${model_abs}" --dir "${_mig_dir}" --out "${ARG_OUTPUT_DIR}"
    DEPENDS "${model_abs}" ${_mig_files} ${_aormc_dep}
    COMMENT "aormc: generating ${ns_dir}/migrations.{hpp,cpp} from ${ARG_MIGRATIONS}"
    VERBATIM)
  list(APPEND _sources "${_mig_cpp}")
  list(APPEND _headers "${_mig_hpp}")
endmacro()

function(aorm_generate target)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR;MIGRATIONS" "MODELS;HEADERS" ${ARGN})
  if(NOT ARG_MODELS AND NOT ARG_HEADERS)
    message(FATAL_ERROR "aorm_generate(${target}): give at least one file with MODELS or HEADERS")
  endif()
  if(ARG_HEADERS AND DEFINED AORM_WITH_CLANG AND NOT AORM_WITH_CLANG)
    message(FATAL_ERROR "aorm_generate(${target}): HEADERS (annotated C++ models) need aormc's Clang "
                        "front end; configure aorm with LLVM/Clang 19 and -DAORM_WITH_CLANG=ON")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${target}_generated")
  endif()

  # The generator: the `aormc` target inside aorm's own build (codegen/ aliases it as
  # aorm::aormc), or the imported aorm::aormc of an installed aorm.
  if(NOT TARGET aorm::aormc)
    message(FATAL_ERROR "aorm_generate(${target}): aormc not found (use find_package(aorm) or add_subdirectory(aorm))")
  endif()
  get_target_property(_aormc_dep aorm::aormc ALIASED_TARGET)
  if(NOT _aormc_dep)
    set(_aormc_dep aorm::aormc)
  endif()
  set(_aormc "$<TARGET_FILE:${_aormc_dep}>")

  set(_sources)
  set(_headers)
  foreach(model IN LISTS ARG_MODELS)
    get_filename_component(_abs "${model}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${_abs}")
      message(FATAL_ERROR "aorm_generate(${target}): model file not found: ${_abs}")
    endif()
    # The output folder is the file's namespace; re-read it whenever the file changes.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_abs}")
    file(STRINGS "${_abs}" _ns_line REGEX "^namespace:" LIMIT_COUNT 1)
    if(_ns_line MATCHES "^namespace:[ \t]*\"?([A-Za-z_][A-Za-z0-9_:]*)")
      set(_ns "${CMAKE_MATCH_1}")
    else()
      get_filename_component(_ns "${_abs}" NAME_WE)
    endif()
    string(REPLACE "::" "/" _ns_dir "${_ns}")
    set(_hpp "${ARG_OUTPUT_DIR}/${_ns_dir}/models.hpp")
    set(_cpp "${ARG_OUTPUT_DIR}/${_ns_dir}/models.cpp")
    set(_json "${ARG_OUTPUT_DIR}/${_ns_dir}/json.hpp")
    add_custom_command(
      OUTPUT "${_hpp}" "${_cpp}" "${_json}"
      COMMAND "${_aormc}" generate "${_abs}" --out "${ARG_OUTPUT_DIR}"
      DEPENDS "${_abs}" ${_aormc_dep}
      COMMENT "aormc: generating ${_ns_dir}/models.{hpp,cpp} and json.hpp from ${model}"
      VERBATIM)
    list(APPEND _sources "${_cpp}")
    list(APPEND _headers "${_hpp}" "${_json}")
    if(ARG_MIGRATIONS)
      _aorm_generate_migrations("${_abs}" "${_ns_dir}")
    endif()
  endforeach()

  if(ARG_HEADERS)
    # The compiler flags aormc needs to read the headers: <target>'s include directories
    # (with those of what it links, aorm::runtime's among them) and definitions.
    set(_flags_file "${ARG_OUTPUT_DIR}/${target}.aormc-flags")
    set(_incs "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
    # Leave out the compiler's own directories (/usr/include from a dependency's usage
    # requirements), as CMake does on compile lines: as -I they break #include_next.
    set(_implicit)
    foreach(_dir IN LISTS CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
      string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" _dir "${_dir}")
      list(APPEND _implicit "${_dir}")
    endforeach()
    if(_implicit)
      list(JOIN _implicit "|" _implicit)
      set(_incs "$<FILTER:${_incs},EXCLUDE,^(${_implicit})$>")
    endif()
    set(_defs "$<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>")
    file(GENERATE OUTPUT "${_flags_file}" CONTENT
         "$<$<BOOL:${_incs}>:\"-I$<JOIN:${_incs},\"\n\"-I>\"\n>$<$<BOOL:${_defs}>:\"-D$<JOIN:${_defs},\"\n\"-D>\"\n>")
  endif()
  foreach(header IN LISTS ARG_HEADERS)
    get_filename_component(_abs "${header}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${_abs}")
      message(FATAL_ERROR "aorm_generate(${target}): header not found: ${_abs}")
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_abs}")
    file(STRINGS "${_abs}" _ns_lines REGEX "^[ \t]*namespace[ \t]+[A-Za-z_][A-Za-z0-9_:]*[ \t]*{")
    set(_ns "")
    foreach(_line IN LISTS _ns_lines)
      if(_line MATCHES "namespace[ \t]+([A-Za-z_][A-Za-z0-9_:]*)" AND NOT CMAKE_MATCH_1 STREQUAL "aorm")
        set(_ns "${CMAKE_MATCH_1}")
        break()
      endif()
    endforeach()
    if(_ns STREQUAL "")
      message(FATAL_ERROR "aorm_generate(${target}): no 'namespace name {' line in ${_abs} (the models' namespace)")
    endif()
    string(REPLACE "::" "/" _ns_dir "${_ns}")
    set(_hpp "${ARG_OUTPUT_DIR}/${_ns_dir}/models.hpp")
    set(_cpp "${ARG_OUTPUT_DIR}/${_ns_dir}/models.cpp")
    set(_json "${ARG_OUTPUT_DIR}/${_ns_dir}/json.hpp")
    add_custom_command(
      OUTPUT "${_hpp}" "${_cpp}" "${_json}"
      COMMAND "${_aormc}" generate "${_abs}" --out "${ARG_OUTPUT_DIR}"
              --depfile "${ARG_OUTPUT_DIR}/${_ns_dir}/models.d" -- "@${_flags_file}"
      DEPENDS "${_abs}" "${_flags_file}" ${_aormc_dep}
      DEPFILE "${ARG_OUTPUT_DIR}/${_ns_dir}/models.d"  # the header's includes
      COMMENT "aormc: generating ${_ns_dir}/models.{hpp,cpp} and json.hpp from ${header}"
      VERBATIM)
    list(APPEND _sources "${_cpp}")
    list(APPEND _headers "${_hpp}" "${_json}")
  endforeach()

  add_library(${target} STATIC ${_sources} ${_headers})
  target_include_directories(${target} PUBLIC "${ARG_OUTPUT_DIR}")
  target_link_libraries(${target} PUBLIC aorm::runtime)
  target_compile_features(${target} PUBLIC cxx_std_20)
endfunction()
