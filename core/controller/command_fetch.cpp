// Fetching commands: which SQ is served next (round robin or weighted round robin with urgent
// class, NVMe 1.3 §4.11) and the fetch of its entry into a command slot.

#include "core/controller/controller.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvmelab {

using spec::CommandSpecificStatus;
using spec::DataDirection;
using spec::GenericStatus;

void Controller::schedule_fetch() {
    if (fetch_scheduled_ || !state_.csts.rdy() || state_.csts.cfs() || state_.csts.shst() != 0)
        return;
    if (!can_fetch()) return;
    const bool work = std::any_of(state_.sqs.begin(), state_.sqs.end(),
                                  [](const auto &sq) { return sq && !sq->empty(); });
    if (!work) return;
    fetch_scheduled_ = true;
    schedule(state_.now_ns + state_.config.fetch_ns, Pending::Kind::Fetch, 0, epoch_);
}

std::optional<uint16_t> Controller::arbitrate() {
    // Up to 65536 SQs (the admin SQ and 65535 I/O SQs): a 16-bit count would wrap to 0.
    const auto count = static_cast<uint32_t>(state_.sqs.size());
    auto has_work = [&](uint16_t q) { return state_.sqs[q] && !state_.sqs[q]->empty(); };
    // Next SQ after `last` (cyclic) with work that `in_class` accepts.
    auto next_after = [&](uint16_t last, auto in_class) -> std::optional<uint16_t> {
        for (uint32_t i = 1; i <= count; ++i) {
            const auto q = static_cast<uint16_t>((last + i) % count);
            if (has_work(q) && in_class(q)) return q;
        }
        return std::nullopt;
    };
    const auto arb = spec::ArbitrationFeature::decode(state_.feature(spec::FeatureId::Arbitration));
    // Arbitration Burst: 2^AB commands at a time from one SQ; 111b means no limit (§5.21.1.1).
    const uint32_t burst = arb.ab == 7 ? UINT32_MAX : (1u << arb.ab);
    auto take = [&](uint16_t q) {
        if (q != arb_current_ || arb_burst_left_ == 0) arb_burst_left_ = burst;
        arb_current_ = q;
        --arb_burst_left_;
        return q;
    };

    if (state_.cc.ams() == 0) { // round robin: every SQ, the admin SQ included, is a peer
        if (arb_burst_left_ > 0 && has_work(arb_current_)) return take(arb_current_);
        arb_burst_left_ = 0;
        if (auto q = next_after(arb_current_, [](uint16_t) { return true; })) return take(*q);
        return std::nullopt;
    }

    // Weighted round robin with urgent priority class (§4.11.2): three strict priority levels,
    // admin, then urgent, then the high/medium/low classes by their weights. Every fetch is an
    // arbitration decision, and strict priority means a higher level's command goes before any
    // of a lower level's: admin or urgent work that arrives in the middle of a weighted SQ's
    // burst goes next. The Arbitration Burst is the most the controller takes from one SQ at a
    // time, not a promise to take that many (§4.11, §5.21.1.1); the cut burst (arb_current_,
    // arb_burst_left_) resumes once the higher levels are empty.
    if (has_work(0)) return uint16_t{0};
    auto prio = [&](uint16_t q) { return state_.sqs[q]->qprio; };
    auto urgent = [&](uint16_t q) { return q != 0 && prio(q) == 0; };
    if (urgent_burst_left_ > 0 && has_work(urgent_current_) && urgent(urgent_current_)) {
        --urgent_burst_left_;
        return urgent_current_;
    }
    if (auto q = next_after(class_last_[0], urgent)) {
        class_last_[0] = urgent_current_ = *q;
        urgent_burst_left_ = burst - 1;
        return *q;
    }
    urgent_burst_left_ = 0;
    if (arb_burst_left_ > 0 && arb_current_ != 0 && has_work(arb_current_) &&
        !urgent(arb_current_)) {
        const uint8_t cls = prio(arb_current_);
        if (wrr_credits_[cls - 1] > 0) {
            --wrr_credits_[cls - 1];
            return take(arb_current_);
        }
    }
    arb_burst_left_ = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
        for (uint8_t cls = 1; cls <= 3; ++cls) {
            if (wrr_credits_[cls - 1] <= 0) continue;
            if (auto q = next_after(class_last_[cls],
                                    [&](uint16_t s) { return s != 0 && prio(s) == cls; })) {
                --wrr_credits_[cls - 1];
                class_last_[cls] = *q;
                return take(*q);
            }
        }
        // All classes with work have used their weight: start a new round.
        wrr_credits_ = {arb.hpw + 1, arb.mpw + 1, arb.lpw + 1};
    }
    return std::nullopt;
}

void Controller::fetch() {
    // A fetch scheduled before a shutdown notification fetches nothing (§7.6.2, start_shutdown).
    if (!state_.csts.rdy() || state_.csts.cfs() || state_.csts.shst() != 0 || !can_fetch()) return;
    const auto qid = arbitrate();
    if (!qid) return;
    SubmissionQueue &sq = *state_.sqs[*qid];
    const uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    ++inflight_;
    CommandContext &ctx = slots_[slot];
    const uint32_t generation = ctx.generation + 1;
    // Keep the staging buffer (allocation and size): decode() sizes it for the new command.
    std::vector<uint8_t> buffer = std::move(ctx.buffer);
    ctx = CommandContext{};
    ctx.buffer = std::move(buffer);
    ctx.slot = slot;
    ctx.generation = generation;
    ctx.sqid = *qid;
    ctx.cqid = sq.cqid;
    ctx.fetch_time_ns = state_.now_ns;

    // Every SQ entry is 64 bytes: Create I/O SQ accepts only CC.IOSQES = 6 (Identify SQES
    // min = max = 6), and the queue keeps the size it was created with even if the host
    // rewrites CC.IOSQES later (§3.1.5, §5.4).
    constexpr uint32_t entry_size = sizeof(spec::Sqe);
    const uint64_t addr = sq.memory.entry_address(sq.head, entry_size);
    std::array<uint8_t, 64> raw{};
    if (!state_.memory.dma_read(addr, raw)) {
        free_slots_.push_back(slot);
        --inflight_;
        ctx.phase = CommandPhase::Free;
        set_fatal(Explanation{fmt::format("SQ{} entry {}", *qid, sq.head), addr,
                              "the submission queue entry is not in mapped host memory",
                              "NVMe 1.3 §4.1"});
        return;
    }
    std::memcpy(&ctx.sqe, raw.data(), sizeof ctx.sqe);
    sq.head = (sq.head + 1) % sq.size;
    ++sq.fetched;
    ctx.sqhd = static_cast<uint16_t>(sq.head);
    cid_keys_[slot] = cid_key(ctx.sqid, ctx.sqe.cid); // live from here until finish()
    record_event(EventKind::SqeFetch, ctx, addr, 64, sq.head, ctx.sqe.opc);
    reschedule(ctx, CommandPhase::Decode, state_.config.fetch_ns);
    schedule_fetch();
}

} // namespace nvmelab
