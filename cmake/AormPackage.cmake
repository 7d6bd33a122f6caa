# `cpack -G DEB` in a build directory: a Debian package of what `cmake --install` installs
# (the runtime libraries and headers, aormc, the CMake package). Installed to /usr, a
# consumer's find_package(aorm) finds it without CMAKE_PREFIX_PATH.
#
# Depends: the shared libraries aormc and the libraries link (found by dpkg-shlibdeps: libc,
# libstdc++, yaml-cpp and, with the Clang front end, libclang-cpp/LLVM 19) and the -dev
# packages a consumer's link needs, since aorm's libraries are static (SQLite; libpq with
# AORM_WITH_POSTGRES; Boost 1.81 with aorm::asio / aorm::json).
set(CPACK_PACKAGE_NAME "aorm")
set(CPACK_PACKAGE_VENDOR "aorm")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "aorm maintainers <aorm@localhost>")
set(CPACK_GENERATOR "DEB")
set(CPACK_STRIP_FILES ON)  # no debug info in the package: smaller, and faster to build
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # aorm_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(_aorm_deb_depends libsqlite3-dev)
if(AORM_WITH_POSTGRES)
  list(APPEND _aorm_deb_depends libpq-dev)
endif()
if(AORM_WITH_ASIO OR AORM_WITH_JSON)
  list(APPEND _aorm_deb_depends libboost1.81-dev)
endif()
if(AORM_WITH_JSON)
  list(APPEND _aorm_deb_depends libboost-json1.81-dev)
endif()
list(JOIN _aorm_deb_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "clang-19")
include(CPack)
