// Identify / log page / feature decoding from completed commands (see device_info.h).
#include "ui/model/device_info.h"

#include <cstring>

#include <fmt/format.h>

#include "ui/model/prp_map.h"

namespace nvmelab::ui {

namespace {

uint64_t completion_key(const CompletionRecord &r) {
    // SQ, CID, SQ head and phase: a repeat needs the same CID at the same slot after a full
    // wrap of both rings with the same phase.
    return (uint64_t{r.sqid} << 48) ^ (uint64_t{r.cqe.cid} << 32) ^ (uint64_t{r.cqe.sqhd} << 16) ^
           (r.cqe.phase() ? 1u : 0u) ^ (uint64_t{r.sqe.prp1} * 0x9E3779B97F4A7C15ull);
}

template <typename T>
bool read_struct(const CompletionRecord &r, uint64_t page_size, const SparseHostMemory &memory,
                 T &out, uint64_t length = sizeof(T)) {
    std::vector<uint8_t> bytes;
    if (!read_command_data(r.sqe, length, page_size, memory, bytes)) return false;
    std::memset(&out, 0, sizeof out);
    std::memcpy(&out, bytes.data(), std::min<size_t>(bytes.size(), sizeof out));
    return true;
}

} // namespace

bool read_command_data(const spec::Sqe &sqe, uint64_t length, uint64_t page_size,
                       const SparseHostMemory &memory, std::vector<uint8_t> &out) {
    const PrpWalkView walk = walk_prps(sqe.prp1, sqe.prp2, length, page_size, memory);
    if (!walk.ok()) return false;
    out.assign(length, 0);
    uint64_t got = 0;
    for (const PrpEntryView &e : walk.entries) {
        if (!memory.read(e.data_addr, std::span<uint8_t>(out.data() + e.position, e.len)))
            return false;
        got += e.len;
    }
    return got == length;
}

void DeviceInfo::update(const Controller &ctrl, const SparseHostMemory &memory) {
    const uint64_t page = uint64_t{4096}
                          << spec::CcReg{ctrl.read32(static_cast<uint32_t>(spec::Reg::Cc))}.mps();
    const uint64_t min_page =
        uint64_t{4096} << spec::CapReg{ctrl.read64(static_cast<uint32_t>(spec::Reg::Cap))}.mpsmin();
    bool seen_ctrl = false, seen_ns = false, seen_smart = false, seen_fw = false, seen_err = false;
    std::map<uint8_t, bool> seen_feature;
    const auto &all = ctrl.completions();
    // Newest first: only the newest of each kind counts.
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        const CompletionRecord &r = *it;
        if (r.sqid != 0 || !r.cqe.decoded_status().ok()) continue;
        const uint64_t key = completion_key(r);
        using A = spec::AdminOpcode;
        switch (static_cast<A>(r.sqe.opc)) {
        case A::Identify: {
            const auto f = spec::IdentifyFields::decode(r.sqe);
            if (f.cns == static_cast<uint8_t>(spec::Cns::Controller) && !seen_ctrl) {
                seen_ctrl = true;
                if (id_ctrl.key == key && id_ctrl.valid) break;
                spec::IdentifyController id{};
                if (!read_struct(r, page, memory, id)) break;
                id_ctrl = {true,
                           r.sqid,
                           r.cqe.cid,
                           r.sqe.prp1,
                           spec::identify_controller_fields(id, min_page),
                           key};
            } else if (f.cns == static_cast<uint8_t>(spec::Cns::Namespace) && !seen_ns) {
                seen_ns = true;
                if (id_ns.key == key && id_ns.valid) break;
                spec::IdentifyNamespace id{};
                if (!read_struct(r, page, memory, id)) break;
                id_ns = {true, r.sqid, r.cqe.cid, r.sqe.prp1, spec::identify_namespace_fields(id),
                         key};
            }
            break;
        }
        case A::GetLogPage: {
            const auto f = spec::GetLogPageFields::decode(r.sqe);
            if (f.offset() != 0) break;
            const uint64_t len = f.length_bytes();
            if (f.lid == 0x02 && !seen_smart) {
                seen_smart = true;
                if (smart.key == key && smart.valid) break;
                spec::SmartLog log{};
                if (!read_struct(r, page, memory, log, std::min<uint64_t>(len, sizeof log))) break;
                smart = {true, r.sqid, r.cqe.cid, r.sqe.prp1, spec::smart_log_fields(log), key};
            } else if (f.lid == 0x03 && !seen_fw) {
                seen_fw = true;
                if (fw.key == key && fw.valid) break;
                spec::FirmwareSlotLog log{};
                if (!read_struct(r, page, memory, log, std::min<uint64_t>(len, sizeof log))) break;
                fw = {true, r.sqid, r.cqe.cid, r.sqe.prp1, spec::firmware_slot_fields(log), key};
            } else if (f.lid == 0x01 && !seen_err) {
                seen_err = true;
                if (!errors.empty() && errors.front().key == key) break;
                std::vector<uint8_t> bytes;
                if (!read_command_data(r.sqe, len, page, memory, bytes)) break;
                errors.clear();
                for (size_t at = 0; at + sizeof(spec::ErrorLogEntry) <= bytes.size();
                     at += sizeof(spec::ErrorLogEntry)) {
                    spec::ErrorLogEntry e{};
                    std::memcpy(&e, bytes.data() + at, sizeof e);
                    if (e.error_count == 0) continue;
                    errors.push_back({true, r.sqid, r.cqe.cid, r.sqe.prp1,
                                      spec::error_log_entry_fields(e), key});
                }
                if (errors.empty())
                    errors.push_back({false, r.sqid, r.cqe.cid, r.sqe.prp1, {}, key});
            }
            break;
        }
        case A::GetFeatures: {
            const auto f = spec::GetFeaturesFields::decode(r.sqe);
            if (f.sel != 0 || seen_feature[f.fid]) break; // current values only
            seen_feature[f.fid] = true;
            features[f.fid] = {r.cqe.dw0, f.sel, key};
            break;
        }
        default:
            break;
        }
    }
}

std::vector<std::string> DeviceInfo::refresh_lines(bool have_buffers) {
    std::vector<std::string> lines;
    if (!have_buffers) {
        lines.push_back(fmt::format("mem alloc {} 4K", kBufferVar));
        lines.push_back("mem alloc ui_idns 4K");
        lines.push_back("mem alloc ui_smart 4K");
        lines.push_back("mem alloc ui_fw 4K");
        lines.push_back("mem alloc ui_errlog 4K");
    }
    lines.push_back(fmt::format("identify ctrl buf=${}", kBufferVar));
    lines.push_back("identify ns 1 buf=$ui_idns");
    lines.push_back("get-log 2 512 buf=$ui_smart");
    lines.push_back("get-log 3 512 buf=$ui_fw");
    lines.push_back("get-log 1 4096 buf=$ui_errlog");
    for (uint8_t fid : spec::decoded_feature_ids())
        lines.push_back(fmt::format("get-feature 0x{:02x}", fid));
    return lines;
}

} // namespace nvmelab::ui
