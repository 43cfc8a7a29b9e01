#pragma once
// One device session per invocation: open the image, power the controller on, bring it up
// through the host driver, run a command, then shut down cleanly (or cut the power).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "driver/host_driver.h"
#include "image/device_image.h"
#include "rig/device_rig.h"

namespace nvmelab::cli {

class Session {
public:
    // Opens common.image and validates its properties; throws ImageError / ConfigError with a
    // message naming the problem. The image is not modified when this throws.
    // With `io_queue`, also creates one I/O queue pair (qid io_qid()). Without `enable` the
    // controller stays powered on but disabled (CC.EN = 0) and host memory stays empty.
    Session(const CommonOptions &common, bool io_queue, bool enable = true);
    // The same, calling `before_power_on` with the image's properties before the device powers
    // on: a command checks its flags and input there, so a refusal (thrown) leaves the image as
    // it was; powering on already saves state (power cycles, the unsafe-shutdown mark).
    Session(const CommonOptions &common, bool io_queue, bool enable,
            const std::function<void(const DeviceConfig &)> &before_power_on);
    // Powers the device off cleanly if finish() was not reached (e.g. after an exception), so
    // acknowledged writes are never lost because the CLI failed; --power-cut is honoured.
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    Controller &ctrl() { return rig_->ctrl(); }
    HostDriver &drv() { return rig_->driver(); }
    SparseHostMemory &mem() { return rig_->mem(); }
    DeviceImage &image() { return *image_; }
    const DeviceConfig &config() const { return config_; }
    uint16_t io_qid() const { return io_qid_; }

    // The command's events end here (later ones belong to shutdown); optional.
    void end_command();
    // Send the trace to stderr (when stdout carries binary data).
    void trace_to_stderr() { trace_stderr_ = true; }

    // Shuts down (or cuts power), prints the trace if asked and returns `rc`, or 1 if the
    // shutdown itself failed.
    int finish(int rc);

private:
    void power_down();

    CommonOptions common_;
    DeviceConfig config_;
    std::unique_ptr<DeviceImage> image_;
    std::unique_ptr<DeviceRig> rig_; // on the image's media
    uint16_t io_qid_ = 0;
    uint64_t trace_start_ = 0;
    uint64_t trace_end_ = UINT64_MAX;
    bool trace_stderr_ = false;
    bool finished_ = false;
};

// Trace lines of the events with sequence numbers in [from, to).
std::string trace_lines(const Trace &trace, uint64_t from, uint64_t to = UINT64_MAX);

// Throws ImageError when `path` (following symlinks; hard links too) or, with path "", the
// open descriptor `fd` is the file `image` names: writing output there would truncate or
// overwrite the device. `what` names the output ("data file 'x.bin'", "standard output").
void refuse_output_onto_image(const std::string &image, const std::string &what,
                              const std::string &path, int fd = -1);

// Opens and checks an image's properties without powering a device on (for `create`'s summary
// and error paths). Throws like Session's constructor.
DeviceConfig config_of(const DeviceImage &image);

} // namespace nvmelab::cli
