# md4c, the Markdown parser of the lesson player (player/lesson_parser.cpp).
# Natively it is Debian's libmd4c-dev. The web build compiles md4c.c from Debian's `md4c`
# source package, which scripts/fetch-ui-sources caches in .cache/ui-sources/md4c (fetched at
# configure time when missing). Defines nvmelab::md4c.

if(EMSCRIPTEN)
    enable_language(C)
    get_filename_component(NVMELAB_MD4C_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
    set(NVMELAB_MD4C_SOURCES_DIR "${NVMELAB_MD4C_ROOT}/.cache/ui-sources" CACHE PATH
        "Where scripts/fetch-ui-sources unpacks source packages (md4c for the web build)")
    set(NVMELAB_MD4C_DIR "${NVMELAB_MD4C_SOURCES_DIR}/md4c")
    if(NOT EXISTS "${NVMELAB_MD4C_DIR}/src/md4c.c")
        message(STATUS "nvmelab: fetching the md4c source package (scripts/fetch-ui-sources md4c)")
        execute_process(
            COMMAND "${NVMELAB_MD4C_ROOT}/scripts/fetch-ui-sources" --dest "${NVMELAB_MD4C_SOURCES_DIR}" md4c
            RESULT_VARIABLE nvmelab_md4c_rc)
        if(NOT nvmelab_md4c_rc EQUAL 0 OR NOT EXISTS "${NVMELAB_MD4C_DIR}/src/md4c.c")
            message(FATAL_ERROR
                "nvmelab: the md4c sources are missing from ${NVMELAB_MD4C_DIR} and "
                "scripts/fetch-ui-sources could not get them (exit code ${nvmelab_md4c_rc}). "
                "Run 'scripts/fetch-ui-sources md4c' by hand to see why.")
        endif()
    endif()
    add_library(nvmelab_md4c STATIC "${NVMELAB_MD4C_DIR}/src/md4c.c")
    target_include_directories(nvmelab_md4c SYSTEM PUBLIC "${NVMELAB_MD4C_DIR}/src")
    target_compile_options(nvmelab_md4c PRIVATE -w)
    add_library(nvmelab::md4c ALIAS nvmelab_md4c)
else()
    # Not find_package(md4c): Debian's md4cConfig.cmake also wants libmd4c-html, a separate
    # package this project does not need.
    find_path(NVMELAB_MD4C_INCLUDE md4c.h)
    find_library(NVMELAB_MD4C_LIBRARY md4c)
    if(NOT NVMELAB_MD4C_INCLUDE OR NOT NVMELAB_MD4C_LIBRARY)
        message(FATAL_ERROR "nvmelab: md4c not found; install Debian's libmd4c-dev "
                            "(scripts/install-deps)")
    endif()
    add_library(nvmelab_md4c INTERFACE)
    target_link_libraries(nvmelab_md4c INTERFACE ${NVMELAB_MD4C_LIBRARY})
    target_include_directories(nvmelab_md4c SYSTEM INTERFACE ${NVMELAB_MD4C_INCLUDE})
    add_library(nvmelab::md4c ALIAS nvmelab_md4c)
endif()
