#pragma once
// A small host-side NVMe driver model: it allocates queues and buffers in host memory, builds
// SQEs and PRP lists, rings doorbells and reaps CQEs, the way an OS driver does. The CLI, tests,
// benchmark, UI and lessons drive the device through it (or, for low-level work, through
// Controller registers and SparseHostMemory directly).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_queue.h"

namespace nvmelab {

struct DriverError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Completion {
    spec::Cqe cqe{};
    std::optional<Explanation> why; // the controller's explanation of a failure
    bool ok() const { return cqe.decoded_status().ok(); }
    spec::Status status() const { return cqe.decoded_status(); }
    // "Invalid Field in Command (0x4002): CDW10.CNS=0x9: ..." style text.
    std::string describe() const;
};

struct BringUpOptions {
    uint16_t admin_entries = 32;
    uint8_t mps = 0; // CC.MPS
    uint8_t ams = 0; // CC.AMS: 0 round robin, 1 weighted round robin with urgent class
};

// A snapshot of the host's view of one queue pair (or the admin pair, qid 0); the state itself
// is a HostSq and a HostCq (host_queue.h).
struct HostQueuePair {
    uint16_t qid = 0;
    uint16_t cqid = 0;
    uint32_t sq_entries = 0;
    uint32_t cq_entries = 0;
    uint64_t sq_base = 0;
    uint64_t cq_base = 0;
    uint32_t sq_tail = 0;
    uint32_t sq_head = 0; // as last reported in a CQE
    uint32_t cq_head = 0;
    bool phase = true;
    uint16_t next_cid = 0;
    bool contiguous = true; // PC: false when the queues live in pages named by PRP lists
};

class HostDriver {
public:
    HostDriver(Controller &controller, SparseHostMemory &memory);

    Controller &controller() { return ctrl_; }
    SparseHostMemory &memory() { return mem_; }

    // Controller bring-up (NVMe 1.3 §7.6.1): disable, program the admin queue, enable, wait for
    // CSTS.RDY. Throws DriverError naming the problem (CSTS.CFS with its reason, or timeout).
    void enable(const BringUpOptions &options = {});
    // Normal shutdown (§7.6.2): delete I/O queues, CC.SHN = 01b, wait for SHST = complete.
    void shutdown();
    // Controller reset: CC.EN = 0 and wait for RDY = 0. Host queue state is forgotten.
    void disable();
    uint32_t page_size() const { return page_size_; }

    // Queue management through admin commands; returns the new queue pair ID. With contiguous
    // false the queues are made of separate pages named by PRP lists (PC = 0, which a
    // controller with CAP.CQR = 1 refuses).
    uint16_t create_io_queue_pair(uint32_t entries, uint8_t qprio = 2, uint16_t vector = 1,
                                  std::optional<uint16_t> qid = std::nullopt,
                                  bool contiguous = true);
    void delete_io_queue_pair(uint16_t qid);
    HostQueuePair queue(uint16_t qid) const;
    // The host-side queues of pair qid (throw DriverError if the host has no such pair).
    const HostSq &sq(uint16_t qid) const;
    const HostCq &cq(uint16_t qid) const;
    bool has_queue(uint16_t qid) const { return queues_.count(qid) != 0; }
    std::vector<uint16_t> io_queue_ids() const;

    // Low-level submission: writes the SQE at the SQ tail (assigning a CID unless keep_cid).
    // The doorbell is rung separately so several entries can go in one write.
    uint16_t submit(uint16_t qid, spec::Sqe sqe, bool keep_cid = false);
    void ring(uint16_t qid);
    // Reaps at most one CQE from a queue pair's CQ (if its phase tag is the expected one),
    // updates the CQ head doorbell. Nullopt if there is none yet.
    std::optional<Completion> reap(uint16_t qid, bool ring_doorbell = true);
    // A CQE of SQ sqid with the controller's explanation when it reports a failure.
    Completion with_explanation(uint16_t sqid, const spec::Cqe &cqe) const;
    // Runs the controller until the command completes; throws if the controller goes idle.
    Completion wait(uint16_t qid, uint16_t cid);
    // Submit + ring + wait.
    Completion execute(uint16_t qid, spec::Sqe sqe);

    // A command with a data buffer: allocates (or reuses) a buffer, builds PRPs, copies `out`
    // in before and the buffer back into `in` after.
    Completion execute_with_data(uint16_t qid, spec::Sqe sqe, std::span<const uint8_t> out,
                                 std::span<uint8_t> in);
    // The same with a separate metadata buffer (FLBAS bit 4 = 0, NVMe 1.3 §8.2): a dword-aligned
    // buffer of max(meta_out, meta_in) bytes whose address goes in MPTR; `meta_out` is copied in
    // before, the buffer back into `meta_in` after. Extended LBAs need no such buffer: their
    // metadata is in the data buffer.
    Completion execute_with_metadata(uint16_t qid, spec::Sqe sqe, std::span<const uint8_t> out,
                                     std::span<uint8_t> in, std::span<const uint8_t> meta_out,
                                     std::span<uint8_t> meta_in);
    // Fills PRP1/PRP2 for a buffer at addr of len bytes, building (chained) PRP lists in host
    // memory as needed. The list pages are recycled when release_prp_lists() is called.
    void build_prps(spec::Sqe &sqe, uint64_t addr, uint64_t len);
    void release_prp_lists();
    // Fills SGL1 (PSDT 01b) for a buffer at addr of len bytes (NVMe 1.3 §4.4): one Data Block
    // when segments is 0, else the buffer cut into `segments` dword-granular pieces, one Data
    // Block per segment, chained by Segment descriptors and ended by a Last Segment. The
    // segment pages are recycled with the PRP lists.
    void build_sgl(spec::Sqe &sqe, uint64_t addr, uint64_t len, uint32_t segments = 0);
    // How execute_with_data describes I/O commands' data: PRPs (the default) or an SGL built by
    // build_sgl. Admin commands always use PRPs (SGLs over PCIe are for I/O commands, §4.4).
    struct DataPointers {
        bool sgl = false;
        uint32_t sgl_segments = 0;
    };
    void set_data_pointers(DataPointers d) { data_pointers_ = d; }
    DataPointers data_pointers() const { return data_pointers_; }

    // Common commands.
    Completion identify(uint8_t cns, uint32_t nsid, std::span<uint8_t> out4096);
    spec::IdentifyController identify_controller();
    spec::IdentifyNamespace identify_namespace(uint32_t nsid);
    Completion get_log_page(uint8_t lid, uint32_t nsid, uint64_t offset, std::span<uint8_t> out);
    Completion get_features(uint8_t fid, uint8_t sel = 0, uint32_t cdw11 = 0, uint32_t nsid = 0);
    Completion set_features(uint8_t fid, uint32_t cdw11, bool save = false, uint32_t nsid = 0);
    Completion read(uint16_t qid, uint32_t nsid, uint64_t slba, uint32_t nlb0,
                    std::span<uint8_t> out, bool fua = false);
    Completion write(uint16_t qid, uint32_t nsid, uint64_t slba, uint32_t nlb0,
                     std::span<const uint8_t> data, bool fua = false);
    Completion flush(uint16_t qid, uint32_t nsid);

    // Max events wait() runs before giving up (a stuck controller never hangs the host).
    uint64_t max_wait_events = 10'000'000;

private:
    uint64_t scratch(uint64_t bytes);
    uint64_t prp_list_page();
    void wait_ready(bool ready);
    // Drops the host's side of a queue pair: its bookkeeping and its queue memory.
    void forget_queue_pair(uint16_t qid);

    Controller &ctrl_;
    SparseHostMemory &mem_;
    uint32_t page_size_ = 4096;
    struct QueuePair {
        HostSq sq;
        HostCq cq;
    };
    QueuePair &pair(uint16_t qid);
    const QueuePair &pair(uint16_t qid) const;
    // Queue memory of `bytes` bytes: one range, or pages and the PRP list naming them.
    HostQueueMemory alloc_queue_memory(uint64_t bytes, bool contiguous, const std::string &label);
    void free_queue_memory(const HostQueueMemory &memory);

    std::map<uint16_t, QueuePair> queues_;
    std::map<std::pair<uint16_t, uint16_t>, Completion> inbox_; // (qid, cid) reaped early
    uint64_t scratch_addr_ = 0;
    uint64_t scratch_size_ = 0;
    std::vector<uint64_t> free_list_pages_;
    std::vector<uint64_t> free_segment_pages_;
    std::vector<uint64_t> used_segment_pages_;
    DataPointers data_pointers_;
    std::vector<uint64_t> used_list_pages_;
};

} // namespace nvmelab
