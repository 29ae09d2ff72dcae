# fm_add_test(NAME SOURCES... LIBS ... LABELS ...): one GoogleTest binary registered with ctest.
function(fm_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} fm_testing GTest::gtest GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "FEATMERGE_BIN=$<TARGET_FILE:featmerge>;FEATMERGE_SOURCE_DIR=${CMAKE_SOURCE_DIR};FEATMERGE_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()

# fm_add_script_test(NAME COMMAND... LABELS ...): a test driven by a script (node, bash).
function(fm_add_script_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 900)
  endif()
  add_test(NAME ${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "FEATMERGE_BIN=$<TARGET_FILE:featmerge>;FEATMERGE_SOURCE_DIR=${CMAKE_SOURCE_DIR};FEATMERGE_BUILD_DIR=${CMAKE_BINARY_DIR}")
endfunction()

function(fm_add_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} benchmark::benchmark)
endfunction()

function(fm_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
endfunction()

# fm_add_fuzz_replay(NAME SOURCES ... LIBS ... INPUTS ...): NAME's fuzz target linked with
# tools/fuzz/replay_main.cc instead of libFuzzer, run over INPUTS (files or directories) as the
# ctest fuzz_replay_NAME.
function(fm_add_fuzz_replay name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;INPUTS" ${ARGN})
  add_executable(${name}_replay ${ARG_SOURCES} ${CMAKE_SOURCE_DIR}/tools/fuzz/replay_main.cc)
  target_link_libraries(${name}_replay PRIVATE ${ARG_LIBS})
  add_test(NAME fuzz_replay_${name} COMMAND ${name}_replay ${ARG_INPUTS})
  set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS unit TIMEOUT 300)
endfunction()
