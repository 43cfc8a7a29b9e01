# Runs one libFuzzer target for a bounded time over a copy of its seed corpus (ctest label
# `fuzz`). -D: FUZZER (executable), CORPUS (committed seeds), WORK (scratch folder in the build
# tree), SECONDS, DICT (optional). Crashes are written into WORK as crash-*, and the test fails.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB seeds ${CORPUS}/*)
if(seeds)
    file(COPY ${seeds} DESTINATION ${WORK}/corpus)
endif()
set(args -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
         -artifact_prefix=${WORK}/)
if(DICT)
    list(APPEND args -dict=${DICT})
endif()
execute_process(COMMAND ${FUZZER} ${args} ${WORK}/corpus
                WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc
                OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
# libFuzzer's log is long; its last lines have the verdict and the final stats.
string(REGEX MATCHALL "[^\n]*\n" lines "${out}")
list(LENGTH lines n)
if(n GREATER 60 AND rc EQUAL 0)
    math(EXPR first "${n} - 25")
    list(SUBLIST lines ${first} -1 lines)
    string(JOIN "" out ${lines})
endif()
message("${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FUZZER} failed (exit code ${rc}); the input is in ${WORK}/ (crash-*); "
                        "reproduce with: ${FUZZER} ${WORK}/crash-...")
endif()
