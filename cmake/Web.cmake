# The web build of the Dear ImGui front end: the same ui/ sources compiled with Emscripten to
# WebGL2, loaded by the project's own page (web/). Included by cmake/Ui.cmake under Emscripten.
#
# SDL2 and Dear ImGui come from Debian's source packages in .cache/ui-sources (the same ImGui
# 1.86 as the desktop app). SDL2 is built once at configure time with emcmake and cached in
# the build tree (cmake/BuildSdl2Web.cmake): Debian's Emscripten has no SDL2 port.
#
# Targets:
#   imgui             ImGui core + its SDL2 platform backend (drawing: ui/render/imgui_renderer.cpp)
#   nvmelab_ui_model  the UI's GL-free parts (the list in Ui.cmake, without the PNG writer)
#   nvmelab-web       the app: site/nvmelab.js + site/nvmelab.wasm
#   nvmelab-site      copies web/ next to them: ${CMAKE_BINARY_DIR}/site is the deployable site
# Tests (label browser): tests/browser/ drives the site in Debian's Chromium with playwright-core.

set(NVMELAB_SDL2_SRC "${NVMELAB_UI_SOURCES_DIR}/libsdl2")

if(NOT EXISTS "${NVMELAB_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp"
   OR NOT EXISTS "${NVMELAB_SDL2_SRC}/CMakeLists.txt")
    message(STATUS "nvmelab web: fetching the imgui and libsdl2 source packages")
    execute_process(
        COMMAND "${NVMELAB_UI_ROOT}/scripts/fetch-ui-sources" --dest "${NVMELAB_UI_SOURCES_DIR}"
                imgui libsdl2
        RESULT_VARIABLE nvmelab_fetch_rc)
    if(NOT nvmelab_fetch_rc EQUAL 0 OR NOT EXISTS "${NVMELAB_SDL2_SRC}/CMakeLists.txt")
        message(FATAL_ERROR
            "nvmelab web: the imgui / libsdl2 sources are missing from ${NVMELAB_UI_SOURCES_DIR} "
            "and scripts/fetch-ui-sources could not get them (exit code ${nvmelab_fetch_rc}).")
    endif()
endif()

# ---- SDL2 for Emscripten, built once --------------------------------------------------------
set(NVMELAB_SDL2_WEB "${CMAKE_BINARY_DIR}/_deps/sdl2-web")
execute_process(
    COMMAND ${CMAKE_COMMAND} -DSRC=${NVMELAB_SDL2_SRC} -DWORK=${CMAKE_BINARY_DIR}/_deps/sdl2-web-build
            -DPREFIX=${NVMELAB_SDL2_WEB} -P ${NVMELAB_UI_ROOT}/cmake/BuildSdl2Web.cmake
    RESULT_VARIABLE nvmelab_sdl_rc)
if(NOT nvmelab_sdl_rc EQUAL 0)
    message(FATAL_ERROR "nvmelab web: building SDL2 for Emscripten failed (see the lines above)")
endif()
# Not an IMPORTED target: its headers must come as -I, before the SDL 1 headers Emscripten
# puts on the system include path.
add_library(nvmelab_sdl2_web INTERFACE)
target_include_directories(nvmelab_sdl2_web BEFORE INTERFACE "${NVMELAB_SDL2_WEB}/include/SDL2")
target_link_libraries(nvmelab_sdl2_web INTERFACE "${NVMELAB_SDL2_WEB}/lib/libSDL2.a")

# ---- Dear ImGui ------------------------------------------------------------------------------
nvmelab_add_imgui(nvmelab_sdl2_web)

# ---- the UI ----------------------------------------------------------------------------------
# The GL-free sources listed in Ui.cmake, but the PNG writer: zlib is not in Emscripten's sysroot.
list(REMOVE_ITEM NVMELAB_UI_MODEL_SOURCES ${NVMELAB_UI_ROOT}/ui/model/image_file.cpp)
add_library(nvmelab_ui_model STATIC ${NVMELAB_UI_MODEL_SOURCES})
target_link_libraries(nvmelab_ui_model PUBLIC nvmelab_console nvmelab_player)

# Every ui/ file except the model and the desktop-only PNG writer and GL read-back (the browser
# takes screenshots of its own canvas).
file(GLOB NVMELAB_UI_SOURCES CONFIGURE_DEPENDS ${NVMELAB_UI_ROOT}/ui/*.cpp
     ${NVMELAB_UI_ROOT}/ui/model/*.cpp ${NVMELAB_UI_ROOT}/ui/windows/*.cpp
     ${NVMELAB_UI_ROOT}/ui/render/*.cpp ${NVMELAB_UI_ROOT}/ui/web/*.cpp)
list(REMOVE_ITEM NVMELAB_UI_SOURCES ${NVMELAB_UI_MODEL_SOURCES}
     ${NVMELAB_UI_ROOT}/ui/model/image_file.cpp ${NVMELAB_UI_ROOT}/ui/render/framebuffer.cpp)
add_executable(nvmelab-web ${NVMELAB_UI_SOURCES})
target_link_libraries(nvmelab-web PRIVATE nvmelab_ui_model nvmelab_console imgui)
set(NVMELAB_SITE_DIR "${CMAKE_BINARY_DIR}/site")
set_target_properties(nvmelab-web PROPERTIES
    OUTPUT_NAME nvmelab SUFFIX ".js" RUNTIME_OUTPUT_DIRECTORY "${NVMELAB_SITE_DIR}")
# -O2, not -Os: every frame builds the whole UI (ImGui and the windows) on the page's one
# thread, and at -Os that took about twice as long; the .wasm stays well under its 4 MiB budget
# (docs/web.md). EM_ASM blocks use $0, $1 for their arguments.
target_compile_options(nvmelab-web PRIVATE -O2 -Wno-dollar-in-identifier-extension)
target_compile_options(nvmelab_ui_model PRIVATE -O2)
target_compile_options(imgui PRIVATE -O2)
target_link_options(nvmelab-web PRIVATE
    -O2
    -sUSE_WEBGL2=1 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2
    # The page makes the WebGL context (a canvas that keeps its pixels: web/nvmelab-web.js).
    -sGL_PREINITIALIZED_CONTEXT=1
    -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=64MB
    -sEXIT_RUNTIME=0 -sENVIRONMENT=web
    "-sEXPORTED_RUNTIME_METHODS=['ccall','UTF8ToString']"
    # The course, built into the app's file system at /lessons: nothing fetched at run time.
    "--embed-file=${NVMELAB_UI_ROOT}/lessons@/lessons")
target_compile_definitions(nvmelab-web PRIVATE NVMELAB_LESSONS_DIR="/lessons")
# A changed lesson file relinks the app.
file(GLOB NVMELAB_WEB_LESSON_FILES CONFIGURE_DEPENDS ${NVMELAB_UI_ROOT}/lessons/*.md)
set_property(TARGET nvmelab-web APPEND PROPERTY LINK_DEPENDS ${NVMELAB_WEB_LESSON_FILES})

# The deployable site: the page, its JS layer, the service worker (its cache named after the
# files' hash, so a new build replaces the old cache) and the app.
file(GLOB NVMELAB_WEB_FILES CONFIGURE_DEPENDS ${NVMELAB_UI_ROOT}/web/*)
add_custom_target(nvmelab-site ALL
    COMMAND ${CMAKE_COMMAND} -DSRC=${NVMELAB_UI_ROOT}/web -DSITE=${NVMELAB_SITE_DIR}
            -P ${NVMELAB_UI_ROOT}/cmake/WebSite.cmake
    DEPENDS nvmelab-web ${NVMELAB_WEB_FILES} ${NVMELAB_UI_ROOT}/cmake/WebSite.cmake
    COMMENT "Assembling the web site in ${NVMELAB_SITE_DIR}")

# ---- tests -----------------------------------------------------------------------------------
if(BUILD_TESTING)
    find_program(NVMELAB_NODE node REQUIRED)
    set(NVMELAB_NPM_DIR "${NVMELAB_UI_ROOT}/.cache/npm" CACHE PATH
        "Where scripts/install-deps puts the npm packages the browser tests use")
    set(NVMELAB_BROWSER_OUT "${CMAKE_BINARY_DIR}/browser-tests")
    foreach(test smoke save-load url-device offline lesson lesson-link lesson-layout)
        add_test(NAME browser.${test}
                 COMMAND ${NVMELAB_NODE} ${NVMELAB_UI_ROOT}/tests/browser/run.mjs
                         --test ${test} --site ${NVMELAB_SITE_DIR}
                         --out ${NVMELAB_BROWSER_OUT}/${test})
        set_tests_properties(browser.${test} PROPERTIES
            LABELS "browser" TIMEOUT 300 RUN_SERIAL TRUE
            ENVIRONMENT "NODE_PATH=${NVMELAB_NPM_DIR}/node_modules")
    endforeach()
    # ?bench=1 with 64 queue pairs x 1024 entries: prints fps and frame-time percentiles and
    # fails below 59 fps. SwiftShader renders on the CPU, so the figure depends on the machine's
    # load: the web preset's test run leaves it out; run it with ctest -L bench.
    add_test(NAME browser.bench
             COMMAND ${NVMELAB_NODE} ${NVMELAB_UI_ROOT}/tests/browser/run.mjs
                     --test bench --site ${NVMELAB_SITE_DIR} --out ${NVMELAB_BROWSER_OUT}/bench)
    set_tests_properties(browser.bench PROPERTIES
        LABELS "browser;bench" TIMEOUT 300 RUN_SERIAL TRUE
        ENVIRONMENT "NODE_PATH=${NVMELAB_NPM_DIR}/node_modules")
endif()
