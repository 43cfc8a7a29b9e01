#pragma once
// URL arguments of the web app: they choose the device and its initial state, so a state can be
// shared as a link. ?mdts=5&lbads=9 sets device properties (the names of `nvmelab create`,
// see DeviceConfig), exec=LINE runs console lines in order, wl_* starts the workload generator,
// run=1 starts run mode, bench=1 the frame-rate benchmark, fresh=1 ignores the state kept in
// browser storage, lesson=ID&step=N opens a lesson at step N (1-based; default 1) with the
// state it has there. No platform code: the web app passes location.search in.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/controller/device_config.h"
#include "ui/model/workload.h"

namespace nvmelab::ui {

class Session;

// A link is untrusted input. Past these bounds its arguments are refused with an error naming
// the bound (docs/web.md, "URL arguments"); console lines are also held to
// kMaxJournalLineBytes (journal.h), and every key and value must decode to UTF-8 text.
// The whole query string, in bytes (browsers and servers cut links far shorter than this).
inline constexpr size_t kMaxUrlQueryBytes = 64 * 1024;
// exec= lines a link may run; past it none runs (a truncated session would mislead).
inline constexpr size_t kMaxUrlExecLines = 1000;

struct UrlArgs {
    DeviceConfig config;
    bool has_device = false; // any device property was given
    std::vector<std::string> exec;
    std::optional<WorkloadParams> workload;
    bool run = false;
    bool bench = false;
    bool fresh = false;
    std::string lesson; // a lesson id (checked against the course by the app), or ""
    uint32_t step = 0;  // 1-based step of `lesson`; 0 = not given (the first step)
    // One message per bad argument, naming it and what is allowed; the rest still apply. A
    // key given twice (but exec) is an error too: the first one applies.
    std::vector<std::string> errors;
    // True when the link describes a state (then the one kept in browser storage is not used).
    bool describes_state() const {
        return has_device || !exec.empty() || workload || bench || !lesson.empty();
    }
};

// Parses "?a=1&b=x" (the leading '?' is optional; '+' and %XX are decoded).
UrlArgs parse_url_args(std::string_view query);
// Decodes one application/x-www-form-urlencoded component; nullopt if a % escape is malformed.
std::optional<std::string> url_decode(std::string_view text);
std::string url_encode(std::string_view text);

// A query string that rebuilds the Session's state: device properties that differ from the
// defaults, the console lines typed so far and the workload started (run-mode steps and
// workload progress are not in a link; a saved state file has them).
std::string share_query(const Session &s);
// "" when parse_url_args takes `query` whole, else why not (past kMaxUrlQueryBytes or
// kMaxUrlExecLines): a session too long for a link is said so when its link is asked for, not
// when the link fails to open.
std::string link_bound_error(std::string_view query);

} // namespace nvmelab::ui
