#pragma once
// What every console command works on: the device it drives (controller, host memory, host
// driver) and the console's own state (variables, named SQEs, the queues it drives itself, the
// last completion, the trace mark). Console (console.h) owns one; command handlers
// (console/commands/*.cpp) get it.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "console/lexer.h"
#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_driver.h"

namespace nvmelab::console {

// A named SQE from `sqe NAME ...`; keep_cid when cid= was given.
struct NamedSqe {
    spec::Sqe sqe{};
    bool keep_cid = false;
};

struct Context {
    Context(Controller &controller, SparseHostMemory &memory, HostDriver &driver)
        : ctrl(controller), mem(memory), drv(driver) {}

    Controller &ctrl;
    SparseHostMemory &mem;
    HostDriver &drv;
    std::map<std::string, uint64_t> vars;
    std::map<std::string, NamedSqe> sqes;
    // Host-side state of queues the driver does not own (e.g. the admin queue after a bring-up
    // through registers, or queues created with raw admin commands), in the driver's queue
    // model. Adopted from the controller's view on first use (host_queues.cpp).
    std::map<uint16_t, HostSq> raw_sqs;
    std::map<uint16_t, HostCq> raw_cqs;
    std::optional<Completion> last;
    uint64_t mark = 0;
    uint64_t scratch_addr = 0;
    uint64_t scratch_size = 0;

    // The completion `expect status` and friends check: the last one seen through the console,
    // else the controller's last posted completion.
    std::optional<Completion> last_completion() const;
};

constexpr uint64_t kMaxTransfer = uint64_t{16} << 20; // per console command
constexpr uint64_t kMaxAlloc = uint64_t{256} << 20;
constexpr uint64_t kMaxDump = 64 * 1024;

// A number argument ($variables of this console), at most max (lexer.h evaluate_number).
uint64_t number(const Context &c, const Token &t, std::string_view what,
                uint64_t max = std::numeric_limits<uint64_t>::max());
uint16_t qid_arg(const Context &c, const Token &t);

bool cc_enabled(const Context &c);
// Lines for problems the controller reported (in its trace) since event `seq`.
void report_problems(const Context &c, uint64_t seq, std::string &out);
// Fails unless addr..addr+len-1 is mapped host memory.
void need_mapped(const Context &c, uint64_t addr, uint64_t len);
// The controller's last completion becomes the console's (after driver commands).
void take_controller_completion(Context &c);

const QueueView *find_view(const std::vector<QueueView> &views, bool sq, uint16_t qid);

} // namespace nvmelab::console
