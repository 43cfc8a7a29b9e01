// libFuzzer target: the UI's saved-state files (ui/model/state_file.h: the configuration, the
// Session's journal of console lines, power cycles and workload steps, and the saved view),
// which the web app also restores from browser storage at start-up. A document either loads
// or is refused with a StateError that names the problem, and a refused load leaves the
// session's state as it was (docs/fuzzing.md).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ui/model/session.h"
#include "ui/model/state_file.h"
#include "ui/model/workload.h"

namespace {

[[noreturn]] void violation(const std::string &what) {
    std::fprintf(stderr, "\nfuzz_state: INVARIANT VIOLATED: %s\n", what.c_str());
    std::abort();
}

// Loads into a session with a small device already in use; returns the state afterwards, or
// "refused: ..." (after checking the refusal changed nothing).
std::string load(std::string_view text) {
    using namespace nvmelab;
    DeviceConfig config;
    config.size = uint64_t{4} << 20;
    ui::Session s(config);
    ui::WorkloadGenerator g;
    s.exec("enable");
    const nlohmann::json before = ui::state_json(s, g);
    try {
        ui::load_state(s, g, text);
    } catch (const ui::StateError &e) {
        if (std::string(e.what()).empty()) violation("a state file was refused without a reason");
        if (ui::state_json(s, g) != before)
            violation(std::string("a refused state file changed the session: ") + e.what());
        return std::string("refused: ") + e.what();
    }
    return ui::state_json(s, g).dump();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 65536) return 0;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    if (load(text) != load(text)) violation("the same state file loaded differently twice");
    return 0;
}
