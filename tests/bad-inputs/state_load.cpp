// Loads a saved UI state file into a new Session through the same path as the desktop app's
// State -> Load (read_state_file + load_state), for the bad-input corpus: prints
// "state: loaded" and exits 0, or prints the error and exits 1.
//
//   nvmelab_state_load FILE
#include <cstdio>
#include <exception>

#include "ui/model/session.h"
#include "ui/model/state_file.h"
#include "ui/model/workload.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: nvmelab_state_load FILE\n");
        return 2;
    }
    try {
        nvmelab::ui::Session session;
        nvmelab::ui::WorkloadGenerator workload;
        nvmelab::ui::load_state(session, workload, nvmelab::ui::read_state_file(argv[1]));
        std::printf("state: loaded\n");
        return 0;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "state: %s\n", e.what());
        return 1;
    }
}
