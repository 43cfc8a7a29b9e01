// nvmelab_fuzz_replay: turns a fuzz_host_actions input into the console script that does the
// same actions, for a learner to read and run (docs/fuzzing.md).
//
//   nvmelab_fuzz_replay INPUT            prints the script
//   nvmelab_fuzz_replay --check INPUT... runs each input in the harness and its script in the
//                                        console on the same device: the completions (time,
//                                        queues, CID, status) must be the same, up to the
//                                        first action the console cannot do (a power cycle)
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "console/console.h"
#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "driver/host_driver.h"
#include "tests/fuzz/host_actions.h"

namespace {

using namespace nvmelab;

bool read_file(const char *path, std::vector<uint8_t> &out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), {});
    return true;
}

// Runs the script's lines one at a time (a failing line does not stop it: the input's
// refused actions are part of it) up to the first action the console cannot do.
std::vector<fuzz::PostedCqe> run_in_console(const DeviceConfig &config, const std::string &script) {
    MemoryBackingStore store(config.size);
    SparseHostMemory mem;
    Controller ctrl(config, mem, store);
    HostDriver drv(ctrl, mem);
    drv.max_wait_events = fuzz::kDriverMaxWaitEvents;
    Console console(ctrl, mem, drv);
    std::vector<fuzz::PostedCqe> cqes;
    ctrl.trace().set_listener([&](const TraceEvent &ev) {
        if (ev.kind == EventKind::CqePost)
            cqes.push_back({ev.time_ns, ev.sqid, ev.cqid, ev.cid, static_cast<uint16_t>(ev.value)});
    });
    std::string_view rest = script;
    while (!rest.empty()) {
        const size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (line.starts_with("# power") || line.starts_with("# BAR0")) break;
        (void)console.exec_line(line);
    }
    ctrl.trace().set_listener(nullptr);
    return cqes;
}

std::string describe(const fuzz::PostedCqe &c) {
    return fmt::format("t={} sq={} cq={} cid={} status=0x{:04x}", c.time_ns, c.sqid, c.cqid, c.cid,
                       c.status);
}

bool check(const char *path) {
    std::vector<uint8_t> input;
    if (!read_file(path, input)) {
        std::fprintf(stderr, "%s: cannot read\n", path);
        return false;
    }
    fuzz::HostActionsOptions o;
    o.record_script = true;
    const fuzz::HostActionsResult h = fuzz::run_host_actions(input.data(), input.size(), o);
    std::vector<fuzz::PostedCqe> want(
        h.first_life_cqes.begin(),
        h.first_life_cqes.begin() +
            static_cast<long>(std::min(h.replayable_cqes, h.first_life_cqes.size())));
    const std::vector<fuzz::PostedCqe> got = run_in_console(h.config, h.script);
    if (got == want) {
        std::printf("%s: %zu actions, %zu completions replayed by the console script\n", path,
                    h.actions, want.size());
        return true;
    }
    std::fprintf(stderr, "%s: the console script gives %zu completions, the harness %zu\n", path,
                 got.size(), want.size());
    for (size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
        const std::string g = i < got.size() ? describe(got[i]) : "(none)";
        const std::string w = i < want.size() ? describe(want[i]) : "(none)";
        if (g != w) {
            std::fprintf(stderr,
                         "  first difference at completion %zu:\n    harness: %s\n    "
                         "console: %s\n",
                         i, w.c_str(), g.c_str());
            break;
        }
    }
    return false;
}

} // namespace

int main(int argc, char **argv) {
    const std::string_view first = argc > 1 ? argv[1] : "";
    if (argc == 2 && first != "--check" && first != "--help") {
        std::vector<uint8_t> input;
        if (!read_file(argv[1], input)) {
            std::fprintf(stderr, "nvmelab_fuzz_replay: cannot read %s\n", argv[1]);
            return 1;
        }
        fuzz::HostActionsOptions o;
        o.record_script = true;
        o.check_invariants = false; // a failing input is shown whole, not stopped at its failure
        const fuzz::HostActionsResult r = fuzz::run_host_actions(input.data(), input.size(), o);
        std::fputs(r.script.c_str(), stdout);
        return 0;
    }
    if (argc > 2 && first == "--check") {
        bool ok = true;
        for (int i = 2; i < argc; ++i)
            ok = check(argv[i]) && ok;
        return ok ? 0 : 1;
    }
    std::fprintf(stderr, "usage: nvmelab_fuzz_replay INPUT        print the console script of a "
                         "fuzz_host_actions input\n"
                         "       nvmelab_fuzz_replay --check INPUT...  check that the scripts "
                         "replay to the same completions\n");
    return 2;
}
