#include "ui/model/url_args.h"

#include <charconv>
#include <set>
#include <string>

#include <fmt/format.h>

#include "console/console.h"
#include "ui/model/journal.h"
#include "ui/model/session.h"

namespace nvmelab::ui {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// wl_NAME arguments and the WorkloadParams field each one sets.
struct WorkloadArg {
    const char *name;
    const char *field;
};
constexpr WorkloadArg kWorkloadArgs[] = {
    {"wl_queues", "queues"},     {"wl_entries", "entries"},        {"wl_depth", "depth"},
    {"wl_read", "read_percent"}, {"wl_min", "min_bytes"},          {"wl_max", "max_bytes"},
    {"wl_seq", "sequential"},    {"wl_events", "events_per_tick"}, {"wl_seed", "seed"},
};

// A key or value as an error message shows it: a long one is cut, with its length.
std::string shown(std::string_view text) {
    constexpr size_t kShown = 64;
    if (text.size() <= kShown) return std::string(text);
    return fmt::format("{}... ({} bytes)", text.substr(0, kShown), text.size());
}

bool flag_value(const std::string &v, bool *out) {
    if (v == "1" || v == "true" || v == "yes" || v.empty()) {
        *out = true;
        return true;
    }
    if (v == "0" || v == "false" || v == "no") {
        *out = false;
        return true;
    }
    return false;
}

} // namespace

std::optional<std::string> url_decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex_digit(text[i + 1]);
            const int lo = hex_digit(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string url_encode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else if (c == ' ')
            out += '+';
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

UrlArgs parse_url_args(std::string_view query) {
    UrlArgs a;
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    if (query.size() > kMaxUrlQueryBytes) {
        a.errors.push_back(fmt::format("the link's arguments are {} bytes, more than the {} the "
                                       "app reads: none of them applies (share a state file)",
                                       query.size(), kMaxUrlQueryBytes));
        return a;
    }
    std::set<std::string> seen; // keys given so far, for the ones that may not repeat
    nlohmann::json wl = nlohmann::json::object();
    const auto &props = DeviceConfig::property_names();
    DevicePropertySetter device(a.config);
    size_t start = 0;
    while (start <= query.size() && !query.empty()) {
        size_t end = query.find('&', start);
        if (end == std::string_view::npos) end = query.size();
        const std::string_view item = query.substr(start, end - start);
        start = end + 1;
        if (item.empty()) {
            if (end == query.size()) break;
            continue;
        }
        const size_t eq = item.find('=');
        const auto key = url_decode(item.substr(0, eq));
        const auto value =
            url_decode(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
        std::string text_error;
        if (key && value) {
            text_error = Console::text_error(*key);
            if (text_error.empty())
                if (const std::string e = Console::text_error(*value); !e.empty())
                    text_error = fmt::format("{}: {}", *key, e);
        }
        if (!key || !value) {
            a.errors.push_back(
                fmt::format("URL argument '{}': a % escape is not two hex digits", shown(item)));
        } else if (!text_error.empty()) {
            a.errors.push_back(fmt::format("URL argument '{}': {}", shown(item), text_error));
        } else if (*key != "exec" && std::find(props.begin(), props.end(), *key) == props.end() &&
                   !seen.insert(*key).second) {
            a.errors.push_back(fmt::format("URL argument {}={}: '{}' is given more than once (the "
                                           "first one applies)",
                                           shown(*key), shown(*value), shown(*key)));
        } else if (std::find(props.begin(), props.end(), *key) != props.end()) {
            try {
                device.set(*key, *value);
                a.has_device = true;
            } catch (const RepeatedPropertyError &e) {
                a.errors.push_back(fmt::format("URL argument {}={}: {} (the first one applies)",
                                               *key, shown(*value), e.what()));
            } catch (const ConfigError &e) {
                a.errors.push_back(
                    fmt::format("URL argument {}={}: {}", *key, shown(*value), e.what()));
            }
        } else if (*key == "exec") {
            // One console line per exec= (a newline in the value separates lines too).
            size_t s = 0;
            while (s <= value->size()) {
                size_t e = value->find('\n', s);
                if (e == std::string::npos) e = value->size();
                const std::string line = value->substr(s, e - s);
                if (const std::string bad = journal_line_error(line); !bad.empty())
                    a.errors.push_back(fmt::format("URL argument exec={}: {}", shown(line), bad));
                else if (!line.empty())
                    a.exec.push_back(line);
                s = e + 1;
            }
        } else if (*key == "lesson") {
            if (value->empty())
                a.errors.push_back("URL argument lesson= needs a lesson id, e.g. lesson=bring-up");
            else
                a.lesson = *value;
        } else if (*key == "step") {
            uint32_t n = 0;
            const auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
            if (ec != std::errc{} || p != value->data() + value->size() || n < 1 || n > 10000)
                a.errors.push_back(fmt::format(
                    "URL argument step={}: a step number from 1 (the lesson's first step) to "
                    "10000",
                    shown(*value)));
            else
                a.step = n;
        } else if (*key == "run" || *key == "bench" || *key == "fresh") {
            bool on = false;
            if (!flag_value(*value, &on))
                a.errors.push_back(fmt::format("URL argument {}={}: use 1 or 0 (true/false)", *key,
                                               shown(*value)));
            else
                (*key == "run" ? a.run : *key == "bench" ? a.bench : a.fresh) = on;
        } else if (*key == "workload") {
            bool on = false;
            if (!flag_value(*value, &on))
                a.errors.push_back(
                    fmt::format("URL argument workload={}: use 1 or 0", shown(*value)));
            else if (on)
                a.workload = WorkloadParams{};
        } else {
            const WorkloadArg *w = nullptr;
            for (const WorkloadArg &x : kWorkloadArgs)
                if (*key == x.name) w = &x;
            if (!w) {
                a.errors.push_back(fmt::format(
                    "unknown URL argument '{}' (known: the device properties {}, exec, run, "
                    "bench, fresh, lesson, step, workload and wl_queues, wl_entries, wl_depth, "
                    "wl_read, "
                    "wl_min, wl_max, wl_seq, wl_events, wl_seed)",
                    shown(*key), fmt::join(props, ", ")));
                continue;
            }
            if (std::string(w->field) == "sequential") {
                bool on = false;
                if (!flag_value(*value, &on))
                    a.errors.push_back(
                        fmt::format("URL argument wl_seq={}: use 1 or 0", shown(*value)));
                else
                    wl[w->field] = on;
                continue;
            }
            try {
                // Decimal, or sizes with the K/M/G suffixes of device sizes.
                wl[w->field] = parse_size(*value);
            } catch (const ConfigError &) {
                a.errors.push_back(
                    fmt::format("URL argument {}={}: not a number (decimal, or a size like 4K)",
                                *key, shown(*value)));
            }
        }
        if (end == query.size()) break;
    }
    if (a.exec.size() > kMaxUrlExecLines) {
        a.errors.push_back(fmt::format("URL argument exec=: {} console lines, more than the {} a "
                                       "link may run: none of them ran (share a state file)",
                                       a.exec.size(), kMaxUrlExecLines));
        a.exec.clear();
    }
    if (!wl.empty()) {
        try {
            WorkloadParams p = a.workload.value_or(WorkloadParams{});
            nlohmann::json merged = p.to_json();
            merged.update(wl);
            a.workload = WorkloadParams::from_json(merged);
        } catch (const WorkloadError &e) {
            a.errors.push_back(fmt::format("URL workload arguments: {}", e.what()));
        }
    }
    if (a.step != 0 && a.lesson.empty()) {
        a.errors.push_back(fmt::format("URL argument step={} needs lesson=ID too", a.step));
        a.step = 0;
    }
    if (a.has_device) {
        try {
            a.config.validate();
        } catch (const ConfigError &e) {
            a.errors.push_back(fmt::format("URL device properties: {}", e.what()));
            a.config = DeviceConfig{};
            a.has_device = false;
        }
    }
    return a;
}

std::string link_bound_error(std::string_view query) {
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    if (query.size() > kMaxUrlQueryBytes)
        return fmt::format("the link would be {} bytes long, more than the {} a link may have",
                           query.size(), kMaxUrlQueryBytes);
    size_t lines = 0;
    for (size_t at = 0; (at = query.find("exec=", at)) != std::string_view::npos; at += 5)
        if (at == 0 || query[at - 1] == '&') ++lines;
    if (lines > kMaxUrlExecLines)
        return fmt::format("the link would run {} console lines, more than the {} a link may run",
                           lines, kMaxUrlExecLines);
    return {};
}

std::string share_query(const Session &s) {
    std::vector<std::string> parts;
    const nlohmann::json defaults = DeviceConfig{}.to_json();
    const nlohmann::json &config = s.journal().config();
    for (const auto &[name, value] : config.items()) {
        if (defaults.contains(name) && defaults.at(name) == value) continue;
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        parts.push_back(fmt::format("{}={}", url_encode(name), url_encode(text)));
    }
    for (const auto &e : s.journal().entries()) {
        if (e.contains("exec") && e.value("remember", false))
            parts.push_back("exec=" + url_encode(e.at("exec").get<std::string>()));
        if (e.value("wl", "") == "start") {
            const nlohmann::json p = e.at("params");
            for (const WorkloadArg &x : kWorkloadArgs) {
                const auto &v = p.at(x.field);
                parts.push_back(fmt::format(
                    "{}={}", x.name, v.is_boolean() ? (v.get<bool>() ? "1" : "0") : v.dump()));
            }
        }
    }
    std::string q;
    for (const std::string &p : parts)
        q += (q.empty() ? "" : "&") + p;
    return q;
}

} // namespace nvmelab::ui
