#include "cli/status_report.h"

#include <cstdio>

#include <fmt/format.h>

#include "cli/output.h"
#include "core/spec/status_text.h"

namespace nvmelab::cli {

std::string status_line(const Completion &c) {
    const spec::Status s = c.status();
    return fmt::format("NVMe status: {}: {}(0x{:04x})", spec::status_name(s),
                       spec::status_description(s), s.field());
}

std::string explanation_line(const Completion &c) {
    if (!c.why) return {};
    return fmt::format("controller: {}=0x{:x}: {} ({})", c.why->field, c.why->value, c.why->rule,
                       c.why->section);
}

Json status_json(const Completion &c) {
    const spec::Status s = c.status();
    Json j = Json::object();
    j["status"] = s.field();
    j["sct"] = s.sct;
    j["sc"] = s.sc;
    j["dnr"] = s.dnr;
    j["more"] = s.more;
    j["name"] = std::string(spec::status_name(s));
    j["explanation"] = std::string(spec::status_description(s));
    if (c.why) {
        j["field"] = c.why->field;
        j["value"] = c.why->value;
        j["rule"] = c.why->rule;
        j["section"] = c.why->section;
    } else {
        j["field"] = nullptr;
        j["value"] = nullptr;
        j["rule"] = nullptr;
        j["section"] = nullptr;
    }
    return j;
}

int report_failure(const Completion &c, Format format) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", status_line(c).c_str());
    if (const std::string why = explanation_line(c); !why.empty())
        std::fprintf(stderr, "%s\n", why.c_str());
    if (format == Format::Json) print_json(status_json(c));
    return 1;
}

} // namespace nvmelab::cli
