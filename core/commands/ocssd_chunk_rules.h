#pragma once
// The OCSSD 2.0 chunk rules applied to a list of LBAs, entry by entry (OC §7, §8 of
// ../shared/reference/ocssd-2.0.md): shared by the vector commands (ocssd_vector.cpp), whose
// list is the LBAL, and by Read, Write and Dataset Management (ocssd_read_write.cpp), whose list
// is SLBA, SLBA + 1, ... Each failed entry sets its bit in the bitmap a vector command returns
// in CQE DW0-1; the command's status is that of the first entry that failed.
#include <cstdint>
#include <span>
#include <string>

#include "core/controller/command.h"
#include "core/controller/device_state.h"

namespace nvmelab::commands {

struct OcssdOutcome {
    uint64_t bitmap = 0; // bit i: entry i failed (entries past 63 are not mapped)
    bool failed = false;
    spec::Status status = spec::success(); // of the first entry that failed
    size_t first_failed = 0;
    uint64_t first_failed_lba = 0;
    std::string rule;
    uint64_t media_ns = 0; // NAND time: the busiest parallel unit's (PUs work in parallel)
    // Records a failure of entry i (the first one sets the command's status).
    void fail(size_t i, uint64_t lba, spec::Status s, std::string why);
};

// Writes entries (data: one LBA's bytes per entry, metadata: ms bytes per entry or empty).
OcssdOutcome ocssd_write_lbas(DeviceState &s, OcssdNamespace &ns, std::span<const uint64_t> lbas,
                              std::span<const uint8_t> data, std::span<const uint8_t> metadata);
// Reads entries into data/metadata (zeros where a sector cannot be read). With DULBE (Error
// Recovery bit 16) an unreadable sector fails its entry with 2h/87h.
OcssdOutcome ocssd_read_lbas(DeviceState &s, OcssdNamespace &ns, std::span<const uint64_t> lbas,
                             std::span<uint8_t> data, std::span<uint8_t> metadata);
// The host data of a Read or Write command (scalar or vector) against its LBA list: reads into
// or writes from the command's buffers, sets its execute event and counts it in SMART.
OcssdOutcome ocssd_host_read(DeviceState &s, CommandContext &ctx);
OcssdOutcome ocssd_host_write(DeviceState &s, CommandContext &ctx);
// Resets the chunks the entries name (each a chunk's first LBA).
OcssdOutcome ocssd_reset_chunks(DeviceState &s, OcssdNamespace &ns, std::span<const uint64_t> lbas);
// Fails ctx with the outcome's status and explanation (field `list_field`[i]).
spec::Status fail_with(CommandContext &ctx, const OcssdOutcome &o, const char *list_field,
                       const char *section);

} // namespace nvmelab::commands
