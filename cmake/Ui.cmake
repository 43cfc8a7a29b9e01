# The Dear ImGui front end (nvmelab-gui): include this file from the top-level CMakeLists.txt
# after the core libraries and include(CTest), with NVMELAB_UI enabled.
#
# Dear ImGui 1.86 is built from Debian's `imgui` source package, cached in
# .cache/ui-sources/imgui by scripts/fetch-ui-sources (run automatically at configure time when
# the cache is empty). Natively it renders through Debian's libsdl2-dev and OpenGL.
#
# Targets:
#   imgui             static library: ImGui core + its SDL2 platform backend (the app draws
#                     with its own renderer, ui/render/imgui_renderer.cpp)
#   nvmelab_ui_model  the UI's GL-free parts (Session, models of the windows, PNG writer)
#   nvmelab-gui       the desktop application (ui/ and its subfolders)
#   nvmelab-ui-tests  doctest unit tests of nvmelab_ui_model (tests/ui/)
# Tests (with BUILD_TESTING): native.ui-model, native.ui-desktop (xvfb-run + screenshot),
# native.ui-clang-format.

get_filename_component(NVMELAB_UI_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(NVMELAB_UI_SOURCES_DIR "${NVMELAB_UI_ROOT}/.cache/ui-sources" CACHE PATH
    "Where scripts/fetch-ui-sources unpacks the imgui and libsdl2 source packages")
set(NVMELAB_IMGUI_DIR "${NVMELAB_UI_SOURCES_DIR}/imgui")

# ---- shared by the desktop and the web build -------------------------------------------------
# Dear ImGui core + its SDL2 platform backend, linked to the platform's SDL2 (and GL) given as
# arguments. The app draws with its own renderer (ui/render/imgui_renderer.cpp).
function(nvmelab_add_imgui)
    add_library(imgui STATIC
        ${NVMELAB_IMGUI_DIR}/imgui.cpp
        ${NVMELAB_IMGUI_DIR}/imgui_draw.cpp
        ${NVMELAB_IMGUI_DIR}/imgui_tables.cpp
        ${NVMELAB_IMGUI_DIR}/imgui_widgets.cpp
        ${NVMELAB_IMGUI_DIR}/backends/imgui_impl_sdl.cpp)
    # SYSTEM: third-party headers do not trip the project's warning flags.
    target_include_directories(imgui SYSTEM PUBLIC ${NVMELAB_IMGUI_DIR}
                                                   ${NVMELAB_IMGUI_DIR}/backends)
    target_link_libraries(imgui PUBLIC ${ARGN})
    target_compile_options(imgui PRIVATE -w)
    # No obsolete API names, so the UI code stays valid on newer ImGui versions.
    target_compile_definitions(imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS)
endfunction()

# The UI's GL-free parts (nvmelab_ui_model), unit tested without a display.
set(NVMELAB_UI_MODEL_SOURCES
    ${NVMELAB_UI_ROOT}/ui/model/session.cpp
    ${NVMELAB_UI_ROOT}/ui/model/prp_map.cpp
    ${NVMELAB_UI_ROOT}/ui/model/sgl_map.cpp
    ${NVMELAB_UI_ROOT}/ui/model/sqe_fields.cpp
    ${NVMELAB_UI_ROOT}/ui/model/sqe_composer.cpp
    ${NVMELAB_UI_ROOT}/ui/model/memory_labels.cpp
    ${NVMELAB_UI_ROOT}/ui/model/namespace_usage.cpp
    ${NVMELAB_UI_ROOT}/ui/model/trace_plots.cpp
    ${NVMELAB_UI_ROOT}/ui/model/device_properties.cpp
    ${NVMELAB_UI_ROOT}/ui/model/device_info.cpp
    ${NVMELAB_UI_ROOT}/ui/model/image_file.cpp
    ${NVMELAB_UI_ROOT}/ui/model/journal.cpp
    ${NVMELAB_UI_ROOT}/ui/model/workload.cpp
    ${NVMELAB_UI_ROOT}/ui/model/state_file.cpp
    ${NVMELAB_UI_ROOT}/ui/model/url_args.cpp
    ${NVMELAB_UI_ROOT}/ui/model/highlight_set.cpp
    ${NVMELAB_UI_ROOT}/ui/model/lesson_progress.cpp
    ${NVMELAB_UI_ROOT}/ui/model/lesson_state.cpp)

if(EMSCRIPTEN)
    include(${CMAKE_CURRENT_LIST_DIR}/Web.cmake) # the same UI for the browser (docs/web.md)
    return()
endif()

if(NOT EXISTS "${NVMELAB_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp")
    message(STATUS "nvmelab UI: fetching the imgui source package (scripts/fetch-ui-sources)")
    execute_process(
        COMMAND "${NVMELAB_UI_ROOT}/scripts/fetch-ui-sources" --dest "${NVMELAB_UI_SOURCES_DIR}" imgui
        RESULT_VARIABLE nvmelab_fetch_rc)
    if(NOT nvmelab_fetch_rc EQUAL 0 OR NOT EXISTS "${NVMELAB_IMGUI_DIR}/imgui.cpp")
        message(FATAL_ERROR
            "nvmelab UI: the Dear ImGui sources are missing from ${NVMELAB_IMGUI_DIR} and "
            "scripts/fetch-ui-sources could not get them (exit code ${nvmelab_fetch_rc}). "
            "Run it by hand to see why, or configure with -DNVMELAB_UI=OFF.")
    endif()
endif()

find_package(SDL2 REQUIRED CONFIG)
set(OpenGL_GL_PREFERENCE GLVND)
find_package(OpenGL REQUIRED)
find_package(ZLIB REQUIRED)

# ---- Dear ImGui ------------------------------------------------------------------------------
nvmelab_add_imgui(SDL2::SDL2 OpenGL::GL ${CMAKE_DL_LIBS})

# ---- the UI ----------------------------------------------------------------------------------
add_library(nvmelab_ui_model STATIC ${NVMELAB_UI_MODEL_SOURCES})
target_link_libraries(nvmelab_ui_model PUBLIC nvmelab_console nvmelab_player ZLIB::ZLIB)

file(GLOB NVMELAB_UI_SOURCES CONFIGURE_DEPENDS ${NVMELAB_UI_ROOT}/ui/*.cpp
     ${NVMELAB_UI_ROOT}/ui/model/*.cpp ${NVMELAB_UI_ROOT}/ui/windows/*.cpp
     ${NVMELAB_UI_ROOT}/ui/render/*.cpp ${NVMELAB_UI_ROOT}/ui/web/*.cpp)
list(REMOVE_ITEM NVMELAB_UI_SOURCES ${NVMELAB_UI_MODEL_SOURCES})
add_executable(nvmelab-gui ${NVMELAB_UI_SOURCES})
target_link_libraries(nvmelab-gui PRIVATE nvmelab_ui_model nvmelab_console imgui)
# The course the lesson window offers when --lessons is not given: this checkout's lessons/.
target_compile_definitions(nvmelab-gui PRIVATE NVMELAB_LESSONS_DIR="${NVMELAB_UI_ROOT}/lessons")

# ---- tests -----------------------------------------------------------------------------------
if(BUILD_TESTING)
    add_executable(nvmelab-ui-tests ${NVMELAB_UI_ROOT}/tests/ui/test_ui_model.cpp
                                    ${NVMELAB_UI_ROOT}/tests/ui/test_sgl_map.cpp
                                    ${NVMELAB_UI_ROOT}/tests/ui/test_ui_lessons.cpp
                                    ${NVMELAB_UI_ROOT}/tests/ui/test_frame_damage.cpp
                                    ${NVMELAB_UI_ROOT}/tests/ui/test_layout.cpp
                                    ${NVMELAB_UI_ROOT}/ui/render/frame_damage.cpp
                                    ${NVMELAB_UI_ROOT}/ui/windows/layout.cpp)
    target_link_libraries(nvmelab-ui-tests PRIVATE nvmelab_ui_model nvmelab::doctest imgui)
    target_compile_definitions(nvmelab-ui-tests PRIVATE
                               NVMELAB_LESSONS_DIR="${NVMELAB_UI_ROOT}/lessons")
    add_test(NAME native.ui-model COMMAND nvmelab-ui-tests --no-version)
    set_tests_properties(native.ui-model PROPERTIES LABELS "native;ui")

    # Save / load by journal replay, the workload generator, the web app's URL arguments.
    add_executable(nvmelab-ui-state-tests ${NVMELAB_UI_ROOT}/tests/ui/test_state_file.cpp)
    target_link_libraries(nvmelab-ui-state-tests PRIVATE nvmelab_ui_model nvmelab::doctest)
    add_test(NAME native.ui-state COMMAND nvmelab-ui-state-tests --no-version)
    set_tests_properties(native.ui-state PROPERTIES LABELS "native;ui")

    # The desktop app under a virtual X server: a scenario script, a screenshot, the state.
    add_test(NAME native.ui-desktop
             COMMAND ${CMAKE_COMMAND}
                     -DGUI=$<TARGET_FILE:nvmelab-gui>
                     -DOUT=${CMAKE_CURRENT_BINARY_DIR}/ui-desktop-test
                     -P ${NVMELAB_UI_ROOT}/tests/ui/desktop_test.cmake)
    set_tests_properties(native.ui-desktop PROPERTIES LABELS "native;ui" TIMEOUT 300)
    # A lesson opened at a step by its deep link (--lesson --step), with that step's state.
    add_test(NAME native.ui-lesson-desktop
             COMMAND ${CMAKE_COMMAND}
                     -DGUI=$<TARGET_FILE:nvmelab-gui>
                     -DOUT=${CMAKE_CURRENT_BINARY_DIR}/ui-lesson-desktop-test
                     -P ${NVMELAB_UI_ROOT}/tests/ui/desktop_lesson_test.cmake)
    set_tests_properties(native.ui-lesson-desktop PROPERTIES LABELS "native;ui" TIMEOUT 300)

    find_program(NVMELAB_UI_CLANG_FORMAT NAMES clang-format clang-format-14)
    if(NVMELAB_UI_CLANG_FORMAT AND NOT NVMELAB_SANITIZE)
        file(GLOB NVMELAB_UI_FORMATTED CONFIGURE_DEPENDS
             ${NVMELAB_UI_ROOT}/ui/*.cpp ${NVMELAB_UI_ROOT}/ui/*.h
             ${NVMELAB_UI_ROOT}/ui/*/*.cpp ${NVMELAB_UI_ROOT}/ui/*/*.h
             ${NVMELAB_UI_ROOT}/tests/ui/*.cpp)
        add_test(NAME native.ui-clang-format
                 COMMAND ${NVMELAB_UI_CLANG_FORMAT} --dry-run --Werror --style=file
                         ${NVMELAB_UI_FORMATTED}
                 WORKING_DIRECTORY ${NVMELAB_UI_ROOT})
        set_tests_properties(native.ui-clang-format PROPERTIES LABELS "native;ui")
    endif()
endif()
