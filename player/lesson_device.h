#pragma once
// The device a lesson plays on: configuration, media store (in memory), host memory,
// controller, host driver model and a console over them, assembled as ui::Session and the CLI
// do. Lesson lines go through exec(): the console's language plus the one thing the console
// leaves to its owner, power: `power-cycle clean|cut`.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "console/console.h"
#include "core/controller/controller.h"
#include "core/controller/device_config.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "driver/host_driver.h"
#include "player/lesson_host.h"

namespace nvmelab::lesson {

class LessonDevice final : public LessonHost {
public:
    // A powered-on device with empty media, CC.EN = 0 and empty host memory. Throws
    // ConfigError for an invalid configuration.
    explicit LessonDevice(const DeviceConfig &config);
    ~LessonDevice() override;
    LessonDevice(const LessonDevice &) = delete;
    LessonDevice &operator=(const LessonDevice &) = delete;

    Controller &ctrl() { return *ctrl_; }
    const Controller &ctrl() const { return *ctrl_; }
    SparseHostMemory &mem() { return *mem_; }
    HostDriver &driver() { return *drv_; }
    Console &console() { return *console_; }
    const MemoryBackingStore &store() const { return *store_; }
    const DeviceConfig &config() const { return config_; }
    // Bumps when a power cycle replaced controller, host memory, driver and console, so front
    // ends drop references and caches.
    uint64_t generation() const { return generation_; }

    // A brand-new device again (empty media, CC.EN = 0, empty host memory, no variables).
    void reset() { build(true); }

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
    void set_host_memory_limit(uint64_t bytes) { host_memory_limit_ = bytes; }

private:
    void build(bool fresh_store);

    DeviceConfig config_;
    std::unique_ptr<MemoryBackingStore> store_;
    std::unique_ptr<SparseHostMemory> mem_;
    std::unique_ptr<Controller> ctrl_;
    std::unique_ptr<HostDriver> drv_;
    std::unique_ptr<Console> console_;
    uint64_t generation_ = 0;
    uint64_t host_memory_limit_ = SparseHostMemory::kDefaultMappedLimit;
};

} // namespace nvmelab::lesson
