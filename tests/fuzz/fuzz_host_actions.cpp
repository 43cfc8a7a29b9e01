// libFuzzer target: a stream of host actions against a live controller (tests/fuzz/host_actions.h),
// invariants checked after every action, and the same input run twice must give the same trace.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/host_actions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace nvmelab::fuzz;
    const HostActionsResult first = run_host_actions(data, size);
    const HostActionsResult second = run_host_actions(data, size);
    // (e) determinism: a fresh device given the same input records the same trace.
    if (first.trace != second.trace || first.first_life_cqes != second.first_life_cqes) {
        size_t at = 0;
        while (at < first.trace.size() && at < second.trace.size() &&
               first.trace[at] == second.trace[at])
            ++at;
        std::fprintf(stderr,
                     "\nfuzz_host_actions: INVARIANT VIOLATED: the same input gave two different "
                     "traces (first difference at byte %zu):\n--- first run ---\n%.400s\n--- "
                     "second run ---\n%.400s\n",
                     at, first.trace.c_str() + (at > 200 ? at - 200 : 0),
                     second.trace.c_str() + (at > 200 ? at - 200 : 0));
        std::abort();
    }
    return 0;
}
