// libFuzzer target: the console language (console/console.h). The input is run as a script and
// then line by line on fresh devices; no crash, hang or UB, every failing line says why, and
// the same input gives the same output and trace twice (docs/fuzzing.md).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "console/console.h"
#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "driver/host_driver.h"

namespace {

using namespace nvmelab;

[[noreturn]] void violation(const std::string &what) {
    std::fprintf(stderr, "\nfuzz_console: INVARIANT VIOLATED: %s\n", what.c_str());
    std::abort();
}

// Bounds so one input stays fast: host memory (each mapped page is real memory), media, and
// the events a controller may run (a command that never completes stops the driver's wait).
constexpr uint64_t kHostMemoryLimit = uint64_t{64} << 20;
constexpr size_t kMaxLines = 200;

struct Device {
    DeviceConfig config;
    MemoryBackingStore store;
    SparseHostMemory mem{kHostMemoryLimit};
    Controller ctrl;
    HostDriver drv;
    Console console;

    static DeviceConfig small() {
        DeviceConfig c;
        c.size = uint64_t{4} << 20;
        return c;
    }
    Device()
        : config(small()), store(config.size), ctrl(config, mem, store), drv(ctrl, mem),
          console(ctrl, mem, drv) {
        drv.max_wait_events = 100'000;
    }
};

struct Outcome {
    std::string output;
    std::string trace;
};

void check_result(const ConsoleResult &r, std::string_view what) {
    if (!r.ok && r.error.empty()) violation(std::string(what) + " failed without saying why");
}

Outcome run_script(std::string_view text) {
    Device d;
    const ConsoleResult r = d.console.exec_script(text, "fuzz");
    check_result(r, "a script");
    return {r.output + "\n" + r.error, d.ctrl.trace().format_all()};
}

Outcome run_lines(std::string_view text) {
    Device d;
    Outcome o;
    size_t lines = 0;
    while (!text.empty() && lines++ < kMaxLines) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const ConsoleResult r = d.console.exec_line(line);
        check_result(r, "a line");
        // syntax_error must accept what runs: a line that ran cannot be called malformed.
        if (r.ok && !Console::syntax_error(line).empty() && Console::text_error(line).empty())
            violation("syntax_error refuses a line that ran: '" + std::string(line) +
                      "': " + Console::syntax_error(line));
        o.output += r.ok ? r.output : "error: " + r.error + "\n";
    }
    o.trace = d.ctrl.trace().format_all();
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    size_t lines = 0;
    for (char ch : text)
        lines += ch == '\n';
    if (lines > kMaxLines) return 0;
    const Outcome a = run_script(text);
    const Outcome b = run_script(text);
    if (a.output != b.output || a.trace != b.trace)
        violation("the same script gave different output or trace on two fresh devices");
    const Outcome c = run_lines(text);
    const Outcome d = run_lines(text);
    if (c.output != d.output || c.trace != d.trace)
        violation("the same lines gave different output or trace on two fresh devices");
    return 0;
}
