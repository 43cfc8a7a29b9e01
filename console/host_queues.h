#pragma once
// The console's way to a queue: through the host driver for queues it created, else through
// the console's own host-side state of the queue, taken from the controller on first use (a
// bring-up by registers, queues made with raw admin commands). Submitting, ringing, reaping and
// waiting for a command go through here whoever owns the queue.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "console/context.h"
#include "console/lexer.h"

namespace nvmelab::console {

// Fails saying why queue `qid` cannot be used (fatal status, disabled, never created).
[[noreturn]] void no_queue(const Context &c, std::string_view kind, uint16_t qid);
// Forgets the console's own queue state (a controller reset dropped the queues).
void clear_raw(Context &c);

// The host's side of CQ cqid, whoever owns it (a copy); nullopt if the controller has none.
std::optional<HostCq> host_cq(Context &c, uint16_t cqid);
uint32_t host_sq_tail(Context &c, uint16_t qid);
// The CQ a queue pair (SQ qid) completes to.
uint16_t cq_of(Context &c, uint16_t qid);

struct Submitted {
    uint16_t cid;
    uint32_t slot;
};
// Writes the SQE at the host's SQ tail (a CID assigned unless keep_cid); the doorbell is not
// rung.
Submitted submit(Context &c, uint16_t qid, spec::Sqe sqe, bool keep_cid);
// Writes the host's SQ tail to the SQ tail doorbell; returns it.
uint32_t ring_sq(Context &c, uint16_t qid);
// Takes the next new CQE of queue pair qid's CQ (phase tag check) and writes the CQ head
// doorbell; nullopt when there is none.
std::optional<Completion> reap_one(Context &c, uint16_t qid);
// Runs the controller until command `cid` of SQ `qid` completes. Other completions found on
// the way are printed.
Completion wait(Context &c, uint16_t qid, uint16_t cid, std::string &out);
// Submit, ring, wait; the completion becomes the console's last.
Completion run_command(Context &c, uint16_t qid, const spec::Sqe &sqe, bool keep_cid,
                       std::string &out);
// A command with a data buffer (PRPs built for it; PRP list pages recycled after).
Completion run_with_data(Context &c, uint16_t qid, spec::Sqe sqe, uint64_t buf, uint64_t len,
                         std::string &out);
// buf= if given (must be mapped), else the console's own data buffer (zeroed).
uint64_t data_buffer(Context &c, const Args &a, uint64_t len);
// queue=QID if given (not 0), else the first I/O queue.
uint16_t io_queue(Context &c, const Args &a);

} // namespace nvmelab::console
