#pragma once
// The device a lesson plays on: a DeviceRig (rig/device_rig.h: in-memory media, host memory,
// controller, host driver model and a console), as ui::Session has it. Lesson lines go through
// exec(): the console's language plus the one thing the console leaves to its owner, power:
// `power-cycle clean|cut`.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "player/lesson_host.h"
#include "rig/device_rig.h"

namespace nvmelab::lesson {

class LessonDevice final : public LessonHost {
public:
    // A powered-on device with empty media, CC.EN = 0 and empty host memory. Throws
    // ConfigError for an invalid configuration.
    explicit LessonDevice(const DeviceConfig &config);
    ~LessonDevice() override = default;
    LessonDevice(const LessonDevice &) = delete;
    LessonDevice &operator=(const LessonDevice &) = delete;

    Controller &ctrl() { return rig_.ctrl(); }
    const Controller &ctrl() const { return rig_.ctrl(); }
    SparseHostMemory &mem() { return rig_.mem(); }
    HostDriver &driver() { return rig_.driver(); }
    Console &console() { return rig_.console(); }
    const MemoryBackingStore &store() const { return *rig_.memory_media(); }
    const DeviceConfig &config() const { return rig_.config(); }
    // Bumps when a power cycle replaced controller, host memory, driver and console, so front
    // ends drop references and caches.
    uint64_t generation() const { return rig_.generation(); }

    // A brand-new device again (empty media, CC.EN = 0, empty host memory, no variables).
    void reset() { rig_.renew(); }

    // Runs one lesson line (console language or a player line).
    ConsoleResult exec(std::string_view line);

    // LessonHost: a new configuration (validated; throws ConfigError) or a line.
    void reset_device(const DeviceConfig &config) override;
    ConsoleResult exec_lesson_line(std::string_view line) override { return exec(line); }

    // Power off and on again. Clean: the host's normal shutdown first (NVMe 1.3 §7.6.2), so the
    // volatile write cache is written back; Unclean: a power cut, cached writes are lost.
    // Media and persistent state survive; host memory, queues and console variables do not.
    std::string power_cycle(PowerOff kind);

    // If `line` is a player line (`power-cycle ...`), sets is_player and returns its syntax
    // error ("" if none); otherwise is_player is false.
    static std::string player_line_error(std::string_view line, bool &is_player);
    // The host memory a device may map (SparseHostMemory's limit), from the next new device
    // on (reset, reset_device, power_cycle). The fuzz target keeps it small: mapped pages are
    // real memory.
    void set_host_memory_limit(uint64_t bytes) { rig_.set_host_memory_limit(bytes); }

private:
    DeviceRig rig_;
};

} // namespace nvmelab::lesson
