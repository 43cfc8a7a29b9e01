#include "cli/session.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/spec/nvme_spec.h"

namespace nvmelab::cli {

DeviceConfig config_of(const DeviceImage &image) {
    DeviceConfig config;
    try {
        config = DeviceConfig::from_json(image.properties());
    } catch (const ConfigError &e) {
        throw ConfigError(
            fmt::format("image '{}': bad device properties: {}", image.path(), e.what()));
    }
    // An NVM image made before metadata existed has only the data area (media size = size):
    // it keeps working with the formats without metadata (DeviceConfig::media_bytes).
    const bool without_metadata_area =
        !config.is_ocssd() && config.ms == 0 && image.media_size() == config.size;
    if (config.media_bytes() != image.media_size() && !without_metadata_area)
        throw ConfigError(fmt::format(
            "image '{}': properties contradict the media size: {} {} bytes, the media area is "
            "{} bytes",
            image.path(),
            config.is_ocssd() ? "the OCSSD geometry needs"
                              : "property size is " + std::to_string(config.size) +
                                    " bytes (plus 1/8 for metadata), which needs",
            config.media_bytes(), image.media_size()));
    return config;
}

std::string trace_lines(const Trace &trace, uint64_t from, uint64_t to) {
    std::string text;
    for (const TraceEvent &ev : trace.events()) {
        if (ev.seq < from || ev.seq >= to) continue;
        text += trace.format(ev);
        text += '\n';
    }
    return text;
}

void refuse_output_onto_image(const std::string &image, const std::string &what,
                              const std::string &path, int fd) {
    struct stat out {};
    struct stat img {};
    const bool found = path.empty() ? ::fstat(fd, &out) == 0 : ::stat(path.c_str(), &out) == 0;
    if (!found || ::stat(image.c_str(), &img) != 0) return; // a new file cannot be the image
    if (out.st_dev == img.st_dev && out.st_ino == img.st_ino)
        throw ImageError(fmt::format("{} is the image '{}' itself: writing it would destroy the "
                                     "device",
                                     what, image));
}

Session::Session(const CommonOptions &common, bool io_queue, bool enable)
    : Session(common, io_queue, enable, nullptr) {}

Session::Session(const CommonOptions &common, bool io_queue, bool enable,
                 const std::function<void(const DeviceConfig &)> &before_power_on)
    : common_(common) {
    image_ = DeviceImage::open(common.image);
    // `1<>IMG` or `>>IMG`: the command's own output would overwrite or grow the device.
    refuse_output_onto_image(common.image, "standard output", "", STDOUT_FILENO);
    config_ = config_of(*image_);
    if (before_power_on) before_power_on(config_);
    try {
        // Commands talk to the driver; `exec` builds its own console.
        rig_ = std::make_unique<DeviceRig>(config_, *image_, RigOptions::without_console());
    } catch (const ConfigError &) {
        throw;
    } catch (const std::runtime_error &e) { // the saved state does not load: name where it is
        throw ImageError(
            fmt::format("image '{}', {}: {}", common.image, image_->newest_state_slot(), e.what()));
    }
    if (enable) drv().enable();
    if (enable && io_queue) {
        // CAP.MQES is 0's based; a small queue is plenty for one command at a time.
        const uint32_t entries = std::min<uint32_t>(64, uint32_t{config_.mqes} + 1);
        const uint16_t vector = config_.msix_vectors > 1 ? 1 : 0;
        io_qid_ = drv().create_io_queue_pair(entries, 2, vector);
    }
    trace_start_ = ctrl().trace().total_recorded();
}

Session::~Session() {
    if (finished_ || !rig_) return;
    try {
        power_down();
    } catch (...) {
        // Nothing sensible is left to do; the error that got us here is reported by main().
    }
}

void Session::end_command() {
    if (trace_end_ == UINT64_MAX) trace_end_ = ctrl().trace().total_recorded();
}

void Session::power_down() {
    if (!ctrl().powered()) return;
    if (common_.power_cut) {
        const uint64_t lost = rig_->power_off(PowerOff::Unclean).lost_blocks;
        std::fprintf(stderr, "nvmelab: power cut: the device lost power without a shutdown; %s\n",
                     lost == 0 ? "the volatile write cache was empty, no data was lost"
                               : fmt::format("{} block{} still in the volatile write cache {} "
                                             "lost",
                                             lost, lost == 1 ? "" : "s", lost == 1 ? "was" : "were")
                                     .c_str());
        return;
    }
    if (rig_->shutdown_first(PowerOff::Clean)) {
        try {
            drv().shutdown();
        } catch (const DriverError &) {
            rig_->power_off(PowerOff::Clean);
            throw;
        }
    }
    rig_->power_off(PowerOff::Clean);
}

int Session::finish(int rc) {
    end_command();
    finished_ = true;
    try {
        power_down();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "nvmelab: shutdown failed: %s\n", e.what());
        rc = 1;
    }
    // Data or state the device could not make durable (a full file system, an I/O error) fails
    // the command even if its own completion said success: the image does not hold it.
    for (const Explanation &lost : ctrl().durability_failures()) {
        std::fprintf(stderr, "nvmelab: %s (%s)\n", lost.rule.c_str(), lost.section.c_str());
        rc = 1;
    }
    if (!common_.trace.empty()) {
        std::string text;
        const Trace &trace = ctrl().trace();
        if (common_.trace == "all") {
            text = trace.format_all();
        } else {
            text = trace_lines(trace, trace_start_, trace_end_);
        }
        std::FILE *out = trace_stderr_ ? stderr : stdout;
        std::fflush(stdout);
        std::fputs(text.c_str(), out);
        std::fflush(out);
    }
    return rc;
}

} // namespace nvmelab::cli
