# The bad-input corpus (tests/bad-inputs/corpus, run by run.cmake): label `bad-input`.
# Included from tests/CMakeLists.txt in native builds. A new NAME.expect is a new case.
add_executable(nvmelab_mutate ${CMAKE_CURRENT_LIST_DIR}/mutate.cpp)
set(NVMELAB_BAD_INPUT_ARGS -DNVMELAB=$<TARGET_FILE:nvmelab> -DMUTATE=$<TARGET_FILE:nvmelab_mutate>)
if(NVMELAB_UI)
    # Saved UI states go through the desktop app's State -> Load path.
    add_executable(nvmelab_state_load ${CMAKE_CURRENT_LIST_DIR}/state_load.cpp)
    target_link_libraries(nvmelab_state_load PRIVATE nvmelab_ui_model)
    list(APPEND NVMELAB_BAD_INPUT_ARGS -DSTATE_LOAD=$<TARGET_FILE:nvmelab_state_load>)
endif()
add_test(NAME native.bad-inputs
         COMMAND ${CMAKE_COMMAND} ${NVMELAB_BAD_INPUT_ARGS}
                 -DCORPUS=${CMAKE_CURRENT_LIST_DIR}/corpus
                 -DWORK=${CMAKE_CURRENT_BINARY_DIR}/bad-inputs-work
                 -P ${CMAKE_CURRENT_LIST_DIR}/run.cmake)
set_tests_properties(native.bad-inputs PROPERTIES LABELS "native;bad-input" TIMEOUT 900)
