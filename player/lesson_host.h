#pragma once
// What the lesson player needs from a device: a brand-new one for a configuration, and lines
// run on it. Two front ends implement it: LessonDevice (headless: the CLI's `lesson run`, the
// tests) and ui::Session (the UI, so the lesson plays on the device its windows show).
#include <string_view>

#include "console/console.h"
#include "core/controller/device_config.h"

namespace nvmelab::lesson {

class LessonHost {
public:
    virtual ~LessonHost() = default;
    // A brand-new device with this (validated) configuration: empty media, CC.EN = 0, empty
    // host memory, no console variables.
    virtual void reset_device(const DeviceConfig &config) = 0;
    // Runs one lesson line: the console language plus `power-cycle clean|cut`
    // (LessonDevice::player_line_error checks its syntax).
    virtual ConsoleResult exec_lesson_line(std::string_view line) = 0;
    // Runs a your-turn check (an `expect` line, which changes no state). The UI polls these
    // every frame, so its implementation does not echo them into the console log.
    virtual ConsoleResult check_lesson_line(std::string_view line) {
        return exec_lesson_line(line);
    }
};

} // namespace nvmelab::lesson
