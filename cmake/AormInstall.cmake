# Installation and the package config that makes `find_package(aorm)` work.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AORM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/aorm")

install(TARGETS aorm_runtime aormc EXPORT aormTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/runtime/include/aorm" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET aorm_asio)
  install(TARGETS aorm_asio EXPORT aormTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(FILES "${PROJECT_SOURCE_DIR}/runtime/asio/include/aorm/asio.hpp"
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/aorm)
endif()
install(EXPORT aormTargets NAMESPACE aorm:: DESTINATION ${AORM_INSTALL_CMAKEDIR})
# aorm::json in an export set of its own: aormConfig.cmake loads it only when the consumer
# has Boost.JSON, so consumers without Boost still find aorm.
if(AORM_WITH_JSON)
  install(TARGETS aorm_json EXPORT aormJsonTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT aormJsonTargets NAMESPACE aorm:: DESTINATION ${AORM_INSTALL_CMAKEDIR})
endif()

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/aormConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/aormConfig.cmake" INSTALL_DESTINATION ${AORM_INSTALL_CMAKEDIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/aormConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/aormConfig.cmake" "${PROJECT_BINARY_DIR}/aormConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/AormGenerate.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/AormCompilerCheck.cmake"
        DESTINATION ${AORM_INSTALL_CMAKEDIR})
