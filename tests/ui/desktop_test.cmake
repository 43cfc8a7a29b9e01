# Desktop UI test: runs nvmelab-gui headless under a virtual X server with a scenario script,
# then checks the screenshot (a 1280x800 PNG that is not blank) and the printed device state.
#
#   cmake -DGUI=/path/to/nvmelab-gui -DOUT=/some/dir -P tests/ui/desktop_test.cmake
#
# Needs xvfb-run (Debian package xvfb) and an OpenGL 3 driver (Mesa's llvmpipe is enough).
cmake_minimum_required(VERSION 3.25)

if(NOT GUI OR NOT EXISTS "${GUI}")
    message(FATAL_ERROR "GUI must name the nvmelab-gui executable (got '${GUI}')")
endif()
if(NOT OUT)
    message(FATAL_ERROR "OUT must name an output directory")
endif()
find_program(XVFB_RUN xvfb-run)
if(NOT XVFB_RUN)
    message(FATAL_ERROR "xvfb-run not found: install the Debian package 'xvfb' "
                        "(apt-get install xvfb) to run the desktop UI test")
endif()

# Under AddressSanitizer, libdbus (through SDL) and the Mesa driver leak a few blocks by design;
# the UI's own code is leak-checked by the native.ui-model unit tests instead.
if(DEFINED ENV{ASAN_OPTIONS})
    set(ENV{ASAN_OPTIONS} "$ENV{ASAN_OPTIONS}:detect_leaks=0")
endif()

set(SCENARIO "${CMAKE_CURRENT_LIST_DIR}/desktop_scenario.nvme")
set(PNG "${OUT}/desktop.png")
file(MAKE_DIRECTORY "${OUT}")
# xvfb-run keeps its X authority file here instead of in a temporary folder of its own: when the
# app exits at once (a bad argument), removing that folder could race with the X server and
# xvfb-run then exited 5 ("problem while cleaning up temporary directory") whatever the app did.
file(REMOVE "${PNG}")

execute_process(
    COMMAND "${XVFB_RUN}" -a -f "${OUT}/Xauthority" -s "-screen 0 1280x1024x24"
            "${GUI}" --frames 5 --exec "${SCENARIO}" --screenshot "${PNG}"
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err
    RESULT_VARIABLE rc
    TIMEOUT 240)
file(WRITE "${OUT}/desktop.log" "${out}\n--- stderr ---\n${err}")
message(STATUS "nvmelab-gui output:\n${out}")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nvmelab-gui exited with '${rc}'\nstdout:\n${out}\nstderr:\n${err}")
endif()

# ---- the screenshot ----------------------------------------------------------------------------
if(NOT EXISTS "${PNG}")
    message(FATAL_ERROR "no screenshot was written to ${PNG}")
endif()
file(READ "${PNG}" head LIMIT 24 HEX)
string(SUBSTRING "${head}" 0 16 signature)
if(NOT signature STREQUAL "89504e470d0a1a0a")
    message(FATAL_ERROR "${PNG} is not a PNG file (starts with ${signature})")
endif()
# IHDR: width and height are the big-endian words at bytes 16 and 20.
string(SUBSTRING "${head}" 32 8 width_hex)
string(SUBSTRING "${head}" 40 8 height_hex)
math(EXPR width "0x${width_hex}")
math(EXPR height "0x${height_hex}")
if(NOT width EQUAL 1280 OR NOT height EQUAL 800)
    message(FATAL_ERROR "screenshot is ${width}x${height}, expected 1280x800")
endif()

# The app reports what it saved; a blank or broken frame has only a handful of colours.
if(NOT out MATCHES "screenshot: path=[^\n]* width=1280 height=800 distinct_colours=([0-9]+)")
    message(FATAL_ERROR "no screenshot report in the output")
endif()
set(colours "${CMAKE_MATCH_1}")
if(colours LESS 24)
    message(FATAL_ERROR "the screenshot looks blank: only ${colours} distinct colours")
endif()

# ---- the device state ----------------------------------------------------------------------------
foreach(expected
        "script: [^\n]* ok"
        "state: CSTS=0x00000001 CSTS.RDY=1 CSTS.CFS=0"
        "state: queues=4 sqs=2 cqs=2"
        "state: inflight=1"
        "state: last_status=0x0000 \\(Successful Completion\\)"
        "\\| ok: 22 bytes at 0x[0-9a-f]+ match"
        # Identify and Get Features for the Identify window, decoded by the shared field table.
        "\\| mdts    5 \\(max transfer 128 KiB\\)"
        "\\| feature 0x07 Number of Queues \\(current\\)")
    if(NOT out MATCHES "${expected}")
        message(FATAL_ERROR "expected a line matching '${expected}' in the output")
    endif()
endforeach()
message(STATUS "desktop UI test passed: 1280x800 screenshot with ${colours} colours, ${PNG}")
