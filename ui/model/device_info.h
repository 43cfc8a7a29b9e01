#pragma once
// The Identify / Features / Logs window's model. It decodes the data of the newest successful
// Identify, Get Log Page and Get Features commands the controller completed (whoever issued
// them: the console, a script, the window's Refresh button), reading their data buffers from
// host memory through the command's PRPs when it first sees each completion. Refresh issues
// the real commands through the console, into buffers of its own.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/spec/field_decode.h"

namespace nvmelab::ui {

struct DecodedPage {
    bool valid = false;
    uint16_t sqid = 0;
    uint16_t cid = 0;
    uint64_t buffer = 0; // PRP1 of the command
    std::vector<spec::DecodedField> fields;
    // Identity of the completion it came from (a new one replaces it).
    uint64_t key = 0;
};

struct FeatureValue {
    uint32_t dw0 = 0;
    uint8_t sel = 0;
    uint64_t key = 0;
};

class DeviceInfo {
public:
    // Looks for newer completions and decodes their data.
    void update(const Controller &ctrl, const SparseHostMemory &memory);
    void clear() { *this = DeviceInfo{}; }

    DecodedPage id_ctrl, id_ns, smart, fw;
    std::vector<DecodedPage> errors; // Error Information entries with a non-zero error count
    std::map<uint8_t, FeatureValue> features;

    // The console lines Refresh runs (buffers allocated once per device: `have_buffers`).
    static std::vector<std::string> refresh_lines(bool have_buffers);
    // The console variable the lines put the Identify Controller data in.
    static constexpr const char *kBufferVar = "ui_idctrl";
};

// Reads `length` bytes of a command's data from host memory along its PRPs; false if any page
// is unmapped or the PRPs break a rule.
bool read_command_data(const spec::Sqe &sqe, uint64_t length, uint64_t page_size,
                       const SparseHostMemory &memory, std::vector<uint8_t> &out);

} // namespace nvmelab::ui
