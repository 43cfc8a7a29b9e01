# Builds SDL2 for the web from Debian's libsdl2 source package (unpacked by
# scripts/fetch-ui-sources) with Emscripten, once, and installs it under PREFIX.
# Emscripten 3.1.6 on Debian has a frozen cache without ports, so -sUSE_SDL=2 is not available.
#
#   cmake -DSRC=<libsdl2 source dir> -DWORK=<build dir> -DPREFIX=<install dir> -P BuildSdl2Web.cmake
#
# A stamp file holding the source path makes later configures skip the ~3 minute build.
foreach(var SRC WORK PREFIX)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "BuildSdl2Web.cmake: -D${var}=... is required")
    endif()
endforeach()
set(stamp "${PREFIX}/nvmelab-sdl2.stamp")
if(EXISTS "${stamp}" AND EXISTS "${PREFIX}/lib/libSDL2.a")
    file(READ "${stamp}" built_from)
    if(built_from STREQUAL "${SRC}")
        return()
    endif()
endif()
if(NOT EXISTS "${SRC}/CMakeLists.txt")
    message(FATAL_ERROR "BuildSdl2Web.cmake: no SDL2 sources in ${SRC} (run scripts/fetch-ui-sources)")
endif()
find_program(EMCMAKE emcmake REQUIRED)
message(STATUS "nvmelab web: building SDL2 for Emscripten from ${SRC} (about 3 minutes, once)")
file(REMOVE_RECURSE "${WORK}")
# Also creates the parent folder that holds the configure/build logs (absent on a clean tree).
file(MAKE_DIRECTORY "${WORK}")
# Only what the UI uses: video (WebGL through the HTML5 canvas), events, timers. Audio, haptics
# and sensors are left out to keep the .wasm small.
execute_process(
    COMMAND ${EMCMAKE} ${CMAKE_COMMAND} -S "${SRC}" -B "${WORK}" -G Ninja
            -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=${PREFIX}
            -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF -DSDL2_DISABLE_SDL2MAIN=ON
            -DSDL_AUDIO=OFF -DSDL_HAPTIC=OFF -DSDL_SENSOR=OFF -DSDL_POWER=OFF
    RESULT_VARIABLE rc OUTPUT_FILE "${WORK}.configure.log" ERROR_FILE "${WORK}.configure.log")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "BuildSdl2Web.cmake: configuring SDL2 failed (${rc}); see ${WORK}.configure.log")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK}" -j2
                RESULT_VARIABLE rc OUTPUT_FILE "${WORK}.build.log" ERROR_FILE "${WORK}.build.log")
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "BuildSdl2Web.cmake: building SDL2 failed (${rc}); see ${WORK}.build.log")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --install "${WORK}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0 OR NOT EXISTS "${PREFIX}/lib/libSDL2.a")
    message(FATAL_ERROR "BuildSdl2Web.cmake: installing SDL2 into ${PREFIX} failed (${rc})")
endif()
file(WRITE "${stamp}" "${SRC}")
