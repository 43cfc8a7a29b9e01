# Desktop lesson test: nvmelab-gui opens lesson 1 at step 6 by its deep link (--lesson --step)
# headless under a virtual X server; the printed device state must be the state of that step
# (the controller ready), the screenshot a 1280x800 frame; a step past the end must fail with a
# clear error, not a crash.
#
#   cmake -DGUI=/path/to/nvmelab-gui -DOUT=/some/dir -P tests/ui/desktop_lesson_test.cmake
cmake_minimum_required(VERSION 3.25)

if(NOT GUI OR NOT EXISTS "${GUI}")
    message(FATAL_ERROR "GUI must name the nvmelab-gui executable (got '${GUI}')")
endif()
if(NOT OUT)
    message(FATAL_ERROR "OUT must name an output directory")
endif()
find_program(XVFB_RUN xvfb-run)
if(NOT XVFB_RUN)
    message(FATAL_ERROR "xvfb-run not found: install the Debian package 'xvfb'")
endif()
if(DEFINED ENV{ASAN_OPTIONS})
    set(ENV{ASAN_OPTIONS} "$ENV{ASAN_OPTIONS}:detect_leaks=0")
endif()
# Progress goes to a throw-away config folder, not the user's.
set(ENV{XDG_CONFIG_HOME} "${OUT}/config")

set(PNG "${OUT}/lesson.png")
file(MAKE_DIRECTORY "${OUT}")
# xvfb-run keeps its X authority file here instead of in a temporary folder of its own: when the
# app exits at once (a bad argument), removing that folder could race with the X server and
# xvfb-run then exited 5 ("problem while cleaning up temporary directory") whatever the app did.
file(REMOVE "${PNG}")
execute_process(
    COMMAND "${XVFB_RUN}" -a -f "${OUT}/Xauthority" -s "-screen 0 1280x1024x24"
            "${GUI}" --frames 5 --lesson bring-up --step 6 --screenshot "${PNG}"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 240)
file(WRITE "${OUT}/lesson.log" "${out}\n--- stderr ---\n${err}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nvmelab-gui exited with '${rc}'\nstdout:\n${out}\nstderr:\n${err}")
endif()
foreach(expected
        "lesson: id=bring-up step=6/7 your_turn=0 done=0"
        "state: CSTS=0x00000001 CSTS.RDY=1 CSTS.CFS=0"
        "state: CC=0x00460001"
        "screenshot: [^\n]* width=1280 height=800 distinct_colours=")
    if(NOT out MATCHES "${expected}")
        message(FATAL_ERROR "expected a line matching '${expected}' in:\n${out}")
    endif()
endforeach()
if(NOT EXISTS "${PNG}")
    message(FATAL_ERROR "no screenshot was written to ${PNG}")
endif()

# The last step: the controller was reset for the learner's turn.
execute_process(
    COMMAND "${XVFB_RUN}" -a -f "${OUT}/Xauthority" -s "-screen 0 1280x1024x24"
            "${GUI}" --frames 2 --lesson bring-up --step 7
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 240)
if(NOT rc EQUAL 0 OR NOT out MATCHES "lesson: id=bring-up step=7/7 your_turn=1 done=0"
   OR NOT out MATCHES "CSTS.RDY=0")
    message(FATAL_ERROR "step 7: exit '${rc}'\n${out}\n${err}")
endif()

# A bad step: exit code 1 and an error naming the step, no crash.
execute_process(
    COMMAND "${XVFB_RUN}" -a -f "${OUT}/Xauthority" -s "-screen 0 1280x1024x24"
            "${GUI}" --frames 2 --lesson bring-up --step 99
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 240)
if(NOT rc EQUAL 1 OR NOT err MATCHES "lesson 'bring-up' has no step 99: its steps are 1 to 7")
    message(FATAL_ERROR "--step 99: expected exit 1 and a clear error, got '${rc}'\n${out}\n${err}")
endif()
message(STATUS "desktop lesson test passed: ${PNG}")
