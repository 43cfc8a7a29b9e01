# Runs one libFuzzer target for a bounded time over a copy of its seed corpus (ctest label
# `fuzz`). -D: FUZZER (executable), CORPUS (committed seeds), WORK (scratch folder in the build
# tree), SECONDS, DICT (optional). Crashes are written into WORK as crash-*, and the test fails.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB seeds ${CORPUS}/*)
if(seeds)
    file(COPY ${seeds} DESTINATION ${WORK}/corpus)
endif()
set(args -max_total_time=${SECONDS} -max_len=4096 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
         -artifact_prefix=${WORK}/)
if(DICT)
    list(APPEND args -dict=${DICT})
endif()
execute_process(COMMAND ${FUZZER} ${args} ${WORK}/corpus
                WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc
                OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
# libFuzzer's log is long: on success only its verdict and final stats are shown (matched
# line by line; its other lines may hold brackets, which CMake lists do not split).
if(rc EQUAL 0)
    string(REGEX MATCHALL "(#[0-9]+[ \t]+DONE|Done [0-9]+ runs|stat::[a-z_]+:)[^\n]*" kept "${out}")
    string(JOIN "\n" out ${kept})
endif()
message("${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FUZZER} failed (exit code ${rc}); the input is in ${WORK}/ (crash-*); "
                        "reproduce with: ${FUZZER} ${WORK}/crash-...")
endif()
