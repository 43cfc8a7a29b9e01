#pragma once
// Command handlers, one family per file in this folder. Each family exposes its handlers; the
// command sets in command_sets.cpp map opcodes to them.
#include <optional>
#include <span>
#include <string_view>

#include "core/controller/command.h"
#include "core/controller/device_state.h"

namespace nvmelab::commands {

// admin_queues.cpp
extern const CommandHandler kCreateIoSq;
extern const CommandHandler kCreateIoCq;
extern const CommandHandler kDeleteIoSq;
extern const CommandHandler kDeleteIoCq;
// admin_async_abort.cpp
extern const CommandHandler kAsyncEventRequest;
extern const CommandHandler kAbort;
// admin_identify.cpp
extern const CommandHandler kIdentify;
// admin_features.cpp
extern const CommandHandler kGetFeatures;
extern const CommandHandler kSetFeatures;
// admin_log_page.cpp
extern const CommandHandler kGetLogPage;
// admin_keep_alive.cpp
extern const CommandHandler kKeepAlive;
// admin_format.cpp
extern const CommandHandler kFormatNvm;
// nvm_read_write.cpp
extern const CommandHandler kRead;
extern const CommandHandler kWrite;
extern const CommandHandler kFlush;
// ocssd_geometry.cpp (admin E2h)
extern const CommandHandler kOcssdGeometry;
// ocssd_vector.cpp (90h-93h)
extern const CommandHandler kOcssdVectorReset;
extern const CommandHandler kOcssdVectorWrite;
extern const CommandHandler kOcssdVectorRead;
extern const CommandHandler kOcssdVectorCopy;
// ocssd_read_write.cpp: Read, Write and Dataset Management on an OCSSD namespace
extern const CommandHandler kOcssdRead;
extern const CommandHandler kOcssdWrite;
extern const CommandHandler kOcssdDatasetManagement;
// ocssd_log_pages.cpp: the OCSSD logs Get Log Page serves (0 size: not one, or NSID names no
// OCSSD namespace), and a range of one, zero-filled past its end.
bool is_ocssd_log(uint8_t lid);
uint64_t ocssd_log_size(const DeviceState &s, uint32_t nsid, uint8_t lid);
void ocssd_log_fill(const DeviceState &s, uint32_t nsid, uint8_t lid, uint64_t offset,
                    std::span<uint8_t> out);
// Metadata bytes per block in the host's buffers (§8.2, §8.3.1): the format's, except that with
// PRACT set on a namespace with PI and exactly 8 bytes of metadata the tuple the controller adds
// (write) or checks and strips (read) never crosses the bus.
inline uint32_t host_metadata_per_block(const Namespace &ns, bool pract) {
    return pract && ns.pi_type() != 0 && ns.metadata_size() == 8 ? 0 : ns.metadata_size();
}
// Writes the volatile write cache of namespace `nsid` (FFFFFFFFh: every namespace) to the media,
// as Flush does; returns the blocks written, or fails ctx with Write Fault.
std::optional<uint64_t> write_back_cache(DeviceState &s, CommandContext &ctx, uint32_t nsid,
                                         const char *section);

// Shared checks. Each returns the failure status (already recorded in ctx) or success.
spec::Status invalid_field(CommandContext &ctx, std::string field, uint64_t value, std::string rule,
                           std::string section, uint16_t location = 0xFFFF);
// Fails with Invalid Field if any bit of `value` outside `allowed_mask` is set. (A view: every
// command makes several of these checks, and only a failing one needs the section as a string.)
spec::Status check_reserved(CommandContext &ctx, const char *field, uint32_t value,
                            uint32_t allowed_mask, std::string_view section, unsigned dword);
// The dwords Read and Write share on every namespace type (NVMe 1.3 §6.9, §6.15): CDW2-3
// reserved; CDW12 NLB 15:0, DTYPE 23:20 (Write only, and no directive type is supported),
// PRINFO 29:26, FUA 30, LR 31; CDW13 DSM 7:0 (Write also DSPEC 31:16). Fails with Invalid Field.
spec::Status check_read_write_dwords(CommandContext &ctx, bool write, const char *section);
// Fails with Invalid Field if any of the dwords first..last (all reserved) is not zero.
spec::Status check_reserved_dwords(CommandContext &ctx, int first, int last,
                                   const std::string &section);
// Data to the host from a structure the controller built (Identify, logs).
void set_data_out(CommandContext &ctx, uint64_t bytes);

} // namespace nvmelab::commands
