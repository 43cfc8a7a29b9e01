// libFuzzer target: the web app's URL arguments (ui/model/url_args.h). Any query parses; every bad
// argument gets an error naming it; the device it describes is valid; url_encode and
// url_decode are inverse (docs/fuzzing.md).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ui/model/url_args.h"

namespace {

[[noreturn]] void violation(const std::string &what) {
    std::fprintf(stderr, "\nfuzz_url_args: INVARIANT VIOLATED: %s\n", what.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace nvmelab;
    if (size > 8192) return 0;
    const std::string_view query(reinterpret_cast<const char *>(data), size);
    const ui::UrlArgs args = ui::parse_url_args(query);
    for (const std::string &e : args.errors)
        if (e.empty()) violation("an empty error message");
    try {
        args.config.validate(); // bad properties are errors, never a device that cannot be built
    } catch (const ConfigError &e) {
        violation(std::string("parse_url_args returned an invalid device: ") + e.what());
    }
    // Every component round-trips through encode and decode.
    const std::string raw(query);
    const std::optional<std::string> back = ui::url_decode(ui::url_encode(raw));
    if (!back || *back != raw) violation("url_decode(url_encode(x)) != x");
    const ui::UrlArgs again = ui::parse_url_args(query);
    if (again.errors != args.errors || again.exec != args.exec || again.lesson != args.lesson ||
        again.step != args.step)
        violation("parse_url_args is not deterministic");
    return 0;
}
