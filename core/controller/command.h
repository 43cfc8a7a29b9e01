#pragma once
// A command on its way through the controller, and the interface every command handler
// implements. Handlers live in core/commands/, one file per command family; a command set is a
// table from opcode to handler (command_sets.cpp). Decode takes the admin set for SQ 0 and, on
// an I/O SQ, the set of the namespace CDW1.NSID names (Namespace::command_set()), so an
// Open-Channel namespace brings its own table beside the NVM one.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/controller/data_path.h"
#include "core/controller/trace.h"
#include "core/media/media_extent.h"
#include "core/media/read_source.h"
#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"

namespace nvmelab {

class DeviceState;
struct CommandHandler;

// Where a command is in its life; the UI colours slots by this.
enum class CommandPhase : uint8_t {
    Free,
    Decode,      // fetched, waiting to be decoded
    TransferIn,  // host -> controller data
    Execute,     // the command's effect (media access, admin work)
    TransferOut, // controller -> host data
    Complete,    // ready to post the CQE
    WaitCq,      // CQ full
    Interrupt,   // CQE posted, interrupt to raise
    Outstanding, // waits for an event (Asynchronous Event Request)
};
const char *command_phase_name(CommandPhase phase);

// What a handler asks of the engine, beyond its own command: the engine (command_pipeline.cpp,
// Controller::apply_effects) applies them in order right after execute(), in one place.
namespace effect {
// Delete I/O SQ: the SQ's commands still in the controller end before the Delete (§5.6).
struct SqDeleted {
    uint16_t sqid;
};
// Delete I/O CQ: these commands (slots) waited for room in it; their entries can never be posted.
struct CompletionsOrphaned {
    std::vector<uint32_t> slots;
};
// Abort: stop command CID of SQ SQID if it has not started executing (§5.1).
struct AbortCommand {
    uint16_t sqid;
    uint16_t cid;
};
// Asynchronous Event Request: the command stays outstanding until an event completes it (§5.2).
struct StayOutstanding {};
} // namespace effect
using HandlerEffect = std::variant<effect::SqDeleted, effect::CompletionsOrphaned,
                                   effect::AbortCommand, effect::StayOutstanding>;

struct CommandContext {
    uint32_t slot = 0;
    uint32_t generation = 0;
    uint16_t sqid = 0;
    uint16_t cqid = 0;
    uint16_t sqhd = 0; // SQ head right after this command was fetched
    spec::Sqe sqe{};
    const CommandHandler *handler = nullptr;
    CommandPhase phase = CommandPhase::Free;
    // Its SQ was deleted while its CQE waited to be posted: it no longer counts as a command
    // of that SQ ID (a new SQ with the same ID may reuse its CID, §4.2).
    bool sq_deleted = false;
    uint64_t fetch_time_ns = 0;

    // Filled by the handler's prepare().
    spec::DataDirection direction = spec::DataDirection::None;
    uint64_t transfer_bytes = 0;
    uint64_t metadata_bytes = 0; // separate metadata at MPTR (FLBAS bit 4 = 0, §8.2)
    // The namespace's Format NVM count when prepare sized the transfer: execute refuses a
    // command whose namespace was formatted in between (its sizes are the old format's).
    uint32_t format_generation = 0;
    // Where the controller's side of the data is (the DMA service, dma.h, picks it):
    // the staging buffer by default; capacity is kept between commands.
    std::vector<uint8_t> buffer;
    std::vector<uint8_t> metadata_buffer;
    // Set instead of `buffer` by a handler whose host-to-controller data should land on the
    // media extent grid (a large Write), so it reaches the cache or media without more copies.
    ExtentData extents;
    // Set instead of `buffer` by a Read whose data the data-out DMA copies straight from the
    // namespace's cache or media into host memory.
    HeldRead held_read;
    // The data and metadata transfers, their walkers chosen from PSDT at decode.
    DataPath data_path;
    // An OCSSD vector command's LBA list and Vector Chunk Copy's destination list, read at
    // prepare (OC §7), and what reading them cost.
    std::vector<uint64_t> lba_list;
    std::vector<uint64_t> lba_list_dst;
    uint64_t lba_list_ns = 0;

    // Filled by execute().
    EventKind execute_event = EventKind::AdminExecute;
    uint64_t execute_ns = 0;
    uint64_t event_addr = 0;      // e.g. first LBA
    uint64_t event_len = 0;       // e.g. blocks
    uint64_t destaged_blocks = 0; // a full write cache moved this many to the media first

    // Result.
    spec::Status status = spec::success();
    uint32_t dw0 = 0;
    uint32_t dw1 = 0;
    std::optional<Explanation> why;
    uint16_t error_location = 0xFFFF; // Error log "parameter error location"
    uint64_t error_lba = 0;
    // What the handler asks the engine to do once execute() returns (see HandlerEffect).
    std::vector<HandlerEffect> effects;

    bool failed() const { return !status.ok(); }
    // When the command ends: extent buffers go back to their pool, a read hold is released.
    void release_data() {
        extents.release();
        held_read.release();
    }
    // Records a failure with what broke which rule; returns the status for `return fail(...)`.
    spec::Status fail(spec::Status s, std::string field, uint64_t value, std::string rule,
                      std::string section, uint16_t location = 0xFFFF) {
        status = s;
        why = Explanation{std::move(field), value, std::move(rule), std::move(section)};
        error_location = location;
        return s;
    }
};

// What a command may change, as the Commands Supported and Effects log reports it (NVMe 1.3
// §5.14.1.5). Every command in a table is supported (CSUPP = 1); these are the other bits.
struct CommandEffects {
    bool lbcc = false; // may change logical block content
    bool ncc = false;  // may change namespace capabilities
    bool nic = false;  // may change the namespace inventory
    bool ccc = false;  // may change controller capabilities
    uint8_t cse = 0;   // 0: no restriction; 1: alone on its namespace; 2: alone on the controller
    // The log's 32-bit entry: b0 CSUPP, b1 LBCC, b2 NCC, b3 NIC, b4 CCC, 18:16 CSE.
    constexpr uint32_t log_entry() const {
        return 1u | (lbcc ? 1u << 1 : 0u) | (ncc ? 1u << 2 : 0u) | (nic ? 1u << 3 : 0u) |
               (ccc ? 1u << 4 : 0u) | (uint32_t{cse} & 0x7u) << 16;
    }
};

// What decode checks of CDW1.NSID before the handler's prepare.
enum class NsidRule : uint8_t {
    HandlerChecks, // the handler does (admin commands: each has its own rule)
    Active,        // must name an active namespace (I/O commands)
    ActiveOrAll,   // an active namespace, or FFFFFFFFh for every namespace (Flush, §6.8)
};

// A handler validates and decodes a command (prepare), then performs it (execute) between the
// data transfers the pipeline runs for it. One entry of a command set's table.
struct CommandHandler {
    const char *name = nullptr;
    // Checks fields, sets direction and transfer_bytes. Returns a non-success status (set via
    // ctx.fail) to complete the command at once.
    spec::Status (*prepare)(DeviceState &, CommandContext &) = nullptr;
    // Does the work: for reads, fills ctx.buffer (or takes held_read); for writes, consumes
    // the data. Sets execute_ns.
    spec::Status (*execute)(DeviceState &, CommandContext &) = nullptr;
    NsidRule nsid = NsidRule::HandlerChecks;
    const char *section = ""; // the spec section of the command, for decode's own failures
    CommandEffects effects{};
};

class CommandSet {
public:
    CommandSet(const char *name, spec::CommandSetId id) : name_(name), id_(id) {}
    // Which spec command set its opcodes belong to (for their names: spec::opcode_name).
    spec::CommandSetId id() const { return id_; }
    void add(uint8_t opcode, CommandHandler handler) { handlers_[opcode] = handler; }
    const CommandHandler *find(uint8_t opcode) const {
        return handlers_[opcode].prepare ? &handlers_[opcode] : nullptr;
    }
    const char *name() const { return name_; }
    // The Commands Supported and Effects log entry of an opcode: 0 when not supported.
    uint32_t effects_log_entry(uint8_t opcode) const {
        const CommandHandler *h = find(opcode);
        return h != nullptr ? h->effects.log_entry() : 0;
    }

private:
    const char *name_;
    spec::CommandSetId id_;
    std::array<CommandHandler, 256> handlers_{};
};

// The command sets the device implements (defined in core/commands/).
const CommandSet &admin_command_set();
const CommandSet &nvm_command_set();
// The Open-Channel SSD 2.0 I/O command set of an OcssdNamespace (core/commands/ocssd_*.cpp).
const CommandSet &ocssd_command_set();

} // namespace nvmelab
