#pragma once
// The windows that look inside the data path: Data path (PRP walk), Host memory, Namespace,
// Identify / Features / Logs, the New device dialog and the SQE composer. Like the others
// (windows.h) they read the device every frame through Controller's public API, host memory
// and the Console, and keep only their own view state.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ui/model/device_info.h"
#include "ui/model/device_properties.h"
#include "ui/model/namespace_usage.h"
#include "ui/model/session.h"
#include "ui/render/live_refresh.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

// The command the windows show: the one selected anywhere, else the newest completion.
struct SelectedCommand {
    bool valid = false;
    uint16_t sqid = 0;
    uint16_t cid = 0;
    spec::Sqe sqe{};
    bool in_flight = false;
    CommandView view{};                     // when in flight
    const CompletionRecord *done = nullptr; // when completed
    uint64_t data_length = 0;               // bytes its PRPs describe
};
SelectedCommand selected_command(const Session &s);
// The host memory page size (CC.MPS).
uint64_t host_page_size(const Session &s);

// PRP1 / PRP2 / PRP lists of the selected command drawn over host memory pages.
class DataPathWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Data path";
};

// Hex + ASCII view of host memory, with regions, queues and the selected command's pages
// labelled.
class MemoryWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Host memory";
    // Shows this address next frame (e.g. from the Data path window).
    void go_to(uint64_t addr) { goto_ = addr; }

private:
    uint64_t region_ = 0; // base of the region shown
    std::optional<uint64_t> goto_;
    char goto_text_[24] = {};
    uint64_t generation_ = UINT64_MAX;
    uint64_t selected_key_ = 0; // the selected command last shown
};

// The LBA space of namespace 1 as a map: unwritten, written, cached, lost in a power cut.
class NamespaceWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Namespace";

private:
    // What the map was built for: its first LBA, its LBA count and its number of cells.
    struct MapKey {
        uint64_t first = 0;
        uint64_t count = 0;
        size_t cells = 0;
        bool operator==(const MapKey &) const = default;
    };
    uint64_t generation_ = UINT64_MAX; // of the device the map was built for
    uint64_t first_ = 0;
    uint64_t count_ = 0; // 0: the whole namespace
    // Of the map, following the trace's event count; a third of a slot after the timeline's
    // plots, so the two rebuild in different frames.
    LiveRefresh<uint64_t> refresh_{0.1, 1.0 / 3};
    MapKey map_key_;
    NamespaceMap map_;
    std::string counts_;  // "n written, n cached, n lost"
    std::string formats_; // the LBA formats, one a line, the one in use marked
};

// One block's metadata with its protection information decoded and checked (NVMe 1.3 §8.3),
// and buttons that corrupt its guard, application tag or reference tag (console `pi corrupt`).
class ProtectionWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Protection information";

private:
    uint32_t nsid_ = 1;
    uint64_t lba_ = 0;
    uint32_t ref_tag_ = 0; // types 2 and 3: the (E)ILBRT a Read would carry
    uint16_t app_tag_ = 0;
    uint16_t app_mask_ = 0;
};

// Identify Controller / Namespace, features and log pages, decoded.
class IdentifyWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Identify / Features / Logs";

private:
    DeviceInfo info_;
    uint64_t generation_ = UINT64_MAX;
    // Of info_, following the trace's event count; two thirds of a slot after the timeline's
    // plots.
    LiveRefresh<uint64_t> refresh_{0.1, 2.0 / 3};
    std::string last_error_;
};

// Device > New device...: the named properties of `nvmelab create`, then a fresh device.
class DeviceDialog {
public:
    void open(const Session &s);
    // Draws the modal when open; true when a new device was created this frame.
    bool draw(Session &s);

private:
    bool open_request_ = false;
    std::vector<PropertyRow> rows_;
    std::vector<std::vector<char>> buffers_;
    std::string error_;
};

} // namespace nvmelab::ui
