# Shared build settings for every target of the project.

# Warnings for our own code (third-party headers come in as SYSTEM through imported targets).
function(kdw_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()

# kdw_engine_module(NAME <name> SOURCES <files...> [DEPS <targets...>])
# One static library per engine module (core, formats, data, tokenize, bert, student, compress),
# so that a module and its tests build without the others. Target: kdw_<name>.
function(kdw_engine_module)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  set(target kdw_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/engine)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  kdw_warnings(${target})
endfunction()

# kdw_add_test(NAME <name> SOURCES <files...> [LIBS <targets...>] [TIMEOUT <s>] [LABELS <l...>])
# A QtTest executable registered with ctest; tests find their data through KDW_TEST_DATA_DIR.
function(kdw_add_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE Qt6::Test ${ARG_LIBS})
  # Qt's `slots`/`signals` keywords clash with LibTorch headers: use Q_SLOTS / Q_SIGNALS / Q_EMIT.
  target_compile_definitions(${ARG_NAME} PRIVATE QT_NO_KEYWORDS
    KDW_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures"
    KDW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    KDW_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set_target_properties(${ARG_NAME} PROPERTIES AUTOMOC ON)
  kdw_warnings(${ARG_NAME})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  # ASan + UBSan make the tests several times slower; ctest --timeout does not override a test's
  # own TIMEOUT, so the sanitizer build scales each one here.
  if(KDW_SANITIZE)
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${KDW_SANITIZE_TIMEOUT_SCALE}")
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OMP_NUM_THREADS=2")
  if(ARG_LABELS)
    set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# kdw_check_log_isolation(): fails the configure if any target other than kdw_log links spdlog or
# fmt, or if kdw_log links LibTorch. LibTorch 2.x ships its own fmt headers: a file that sees both
# LibTorch's include folder and spdlog's would compile against one fmt and link against another.
function(kdw_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    kdw_collect_targets(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(kdw_check_log_isolation)
  kdw_collect_targets(${PROJECT_SOURCE_DIR} targets)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    set(libs "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(libs ${target} LINK_LIBRARIES)
    endif()
    get_target_property(interface_libs ${target} INTERFACE_LINK_LIBRARIES)
    foreach(lib IN LISTS libs interface_libs)
      if(target STREQUAL "kdw_log")
        if(lib MATCHES "^(torch|torch_library|c10)$")
          message(FATAL_ERROR "kdw_log must not link LibTorch (${lib}): see engine/core/log.h")
        endif()
      elseif(lib MATCHES "spdlog|(^|::)fmt(::|$)")
        message(FATAL_ERROR "${target} links ${lib}: only kdw_log may use spdlog/fmt "
                            "(LibTorch 2.x ships its own fmt; see engine/core/log.h)")
      endif()
    endforeach()
  endforeach()
endfunction()
