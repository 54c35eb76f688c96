# Fuzz targets: their list, their sources, and the replay of their corpora
# under ctest in every build (gcc too, without libFuzzer). Included from the
# root CMakeLists.txt when tests are on, and from fuzz/CMakeLists.txt (the
# libFuzzer binaries, clang only); the guard makes the second include a no-op.
#
# Targets:
#   scan          the whole engine on one input (fuzz_scan.c)
#   util_path     member-name cleaning and link containment (fuzz_path.c)
#   util_reader   the bounds-checked reader and dynbuf (fuzz_reader.c)
#   vulndb        the vulnerability importers and matcher (fuzz_vulndb.c)
#   assess        the assessment's evidence, tailoring and policy files (fuzz_assess.c)
#   signatures    the binary-signature engine (fuzz_signatures.c)
#   <unpacker>    one per src/unpack/unpack_<name>.c (fuzz_unpacker.c built
#                 with -DFUZZ_UNPACKER="<name>"), except the directory walker
# Corpus of target T: fuzz/corpus/T/ (seeds and every input that crashed).
# The regression test of "scan" replays the whole fuzz/corpus/ tree.
include_guard(GLOBAL)

set(IOTA_FUZZ_DIR ${CMAKE_SOURCE_DIR}/fuzz)
set(IOTA_FUZZ_TARGETS scan util_path util_reader vulndb assess signatures)
foreach(_src ${IOTA_UNPACK_SOURCES})
  get_filename_component(_n ${_src} NAME_WE)
  string(REGEX REPLACE "^unpack_" "" _n ${_n})
  if(_n STREQUAL "dir")
    continue() # reads directories, never bytes
  endif()
  if(_n IN_LIST IOTA_FUZZ_TARGETS)
    message(FATAL_ERROR "unpacker '${_n}' has the name of a fuzz target; rename one")
  endif()
  list(APPEND IOTA_FUZZ_TARGETS ${_n})
endforeach()

# Adds the sources, definitions and include paths of fuzz target 'name' to
# the executable 'exe' (which also gets its main: libFuzzer's or the driver).
function(iota_fuzz_target_setup exe name)
  if(name STREQUAL "scan")
    target_sources(${exe} PRIVATE ${IOTA_FUZZ_DIR}/fuzz_scan.c)
  elseif(name STREQUAL "util_path")
    target_sources(${exe} PRIVATE ${IOTA_FUZZ_DIR}/fuzz_path.c)
  elseif(name STREQUAL "util_reader")
    target_sources(${exe} PRIVATE ${IOTA_FUZZ_DIR}/fuzz_reader.c)
  elseif(name STREQUAL "vulndb")
    target_sources(${exe} PRIVATE ${IOTA_FUZZ_DIR}/fuzz_vulndb.c)
  elseif(name STREQUAL "assess")
    target_sources(${exe} PRIVATE ${IOTA_FUZZ_DIR}/fuzz_assess.c)
  elseif(name STREQUAL "signatures")
    target_sources(${exe} PRIVATE ${IOTA_FUZZ_DIR}/fuzz_signatures.c)
  else()
    target_sources(${exe} PRIVATE ${IOTA_FUZZ_DIR}/fuzz_unpacker.c)
    target_compile_definitions(${exe} PRIVATE FUZZ_UNPACKER="${name}")
  endif()
  # fuzz targets are white-box: they may use the library's internal headers
  target_include_directories(${exe} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${exe} PRIVATE iotaudit_lib)
endfunction()

foreach(_t ${IOTA_FUZZ_TARGETS})
  add_executable(fuzz_regress_${_t} ${IOTA_FUZZ_DIR}/regression_driver.c)
  iota_fuzz_target_setup(fuzz_regress_${_t} ${_t})
  if(_t STREQUAL "scan")
    set(_corpus ${IOTA_FUZZ_DIR}/corpus)
  else()
    set(_corpus ${IOTA_FUZZ_DIR}/corpus/${_t})
  endif()
  if(EXISTS ${_corpus})
    add_test(NAME fuzz_regress_${_t} COMMAND fuzz_regress_${_t} ${_corpus})
    # Sanitizer builds: a UBSan report fails the test (it only prints
    # otherwise), and so does one allocation above 2 GiB, as in fuzz/run.sh:
    # an allocation that size comes from a length the input claims.
    set_tests_properties(fuzz_regress_${_t} PROPERTIES LABELS fuzz TIMEOUT 600
      ENVIRONMENT "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1;ASAN_OPTIONS=detect_leaks=1:max_allocation_size_mb=2048")
  else()
    message(STATUS "fuzz: no corpus for '${_t}' yet (fuzz/corpus/${_t}/); its replay is not a test")
  endif()
endforeach()
