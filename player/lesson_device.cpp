#include "player/lesson_device.h"

#include <cctype>
#include <vector>

#include <fmt/format.h>

namespace nvmelab::lesson {

namespace {

// Words of a line, up to a '#' comment.
std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
        if (i >= line.size() || line[i] == '#') break;
        std::string w;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
            w += static_cast<char>(std::tolower(static_cast<unsigned char>(line[i++])));
        out.push_back(std::move(w));
    }
    return out;
}

constexpr std::string_view kPowerUsage = "usage: power-cycle clean|cut";

} // namespace

LessonDevice::LessonDevice(const DeviceConfig &config) : rig_(config) {}

void LessonDevice::reset_device(const DeviceConfig &config) {
    rig_.renew(config);
}

std::string LessonDevice::player_line_error(std::string_view line, bool &is_player) {
    const std::vector<std::string> w = words(line);
    is_player = !w.empty() && w[0] == "power-cycle";
    if (!is_player) return {};
    if (w.size() != 2 || (w[1] != "clean" && w[1] != "cut"))
        return fmt::format("power-cycle needs 'clean' or 'cut'; {}", kPowerUsage);
    return {};
}

ConsoleResult LessonDevice::exec(std::string_view line) {
    bool is_player = false;
    const std::string error = player_line_error(line, is_player);
    if (!is_player) return console().exec_line(line);
    ConsoleResult r;
    if (!error.empty()) {
        r.ok = false;
        r.error = error;
        return r;
    }
    const bool clean = words(line)[1] == "clean";
    try {
        r.output = power_cycle(clean ? PowerOff::Clean : PowerOff::Unclean);
    } catch (const std::exception &e) {
        r.ok = false;
        r.error = fmt::format("power-cycle failed: {}", e.what());
    }
    return r;
}

std::string LessonDevice::power_cycle(PowerOff kind) {
    std::string out;
    const PowerOffReport off = rig_.power_cycle(kind, [&] {
        const ConsoleResult r = console().exec_line("shutdown");
        out += r.output;
        if (!r.ok) out += fmt::format("note: the shutdown failed: {}\n", r.error);
    });
    if (off.was_powered) {
        const uint64_t lost = off.lost_blocks;
        if (kind == PowerOff::Unclean)
            out += lost == 0 ? "power cut: the volatile write cache was empty, nothing lost\n"
                             : fmt::format("power cut: {} block{} in the volatile write cache "
                                           "lost\n",
                                           lost, lost == 1 ? "" : "s");
        else
            out += "clean power off: the volatile write cache was written back\n";
    }
    out += "power on: media kept; host memory, queues and variables start over (CC.EN = 0)\n";
    return out;
}

} // namespace nvmelab::lesson
