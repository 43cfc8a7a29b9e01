// Create / Delete I/O Submission and Completion Queue (NVMe 1.3 §5.3-§5.6).
#include <fmt/format.h>

#include "core/commands/handlers.h"
#include "core/controller/dma.h"

namespace nvmelab::commands {

using spec::CommandSpecificStatus;

namespace {

spec::Status cs_fail(CommandContext &ctx, CommandSpecificStatus s, std::string field,
                     uint64_t value, std::string rule, const char *section,
                     uint16_t location = 0xFFFF) {
    return ctx.fail(spec::command_specific(s, true), std::move(field), value, std::move(rule),
                    section, location);
}

// Queue memory from PRP1: the base of a contiguous queue, or (PC = 0, allowed only when CAP.CQR
// is 0) a PRP list naming each page of the queue (§5.3, §5.4). A list longer than a memory page
// continues where the page's last entry points (§4.3): a 4 KiB page names 511 queue pages and
// the next list page.
spec::Status map_queue_memory(DeviceState &s, CommandContext &ctx, bool pc, uint32_t entries,
                              uint32_t entry_size, QueueMemory &out, const char *section) {
    const uint64_t page = s.page_size();
    out.page_size = page;
    const uint64_t prp1 = ctx.sqe.prp1;
    if ((prp1 & (page - 1)) != 0)
        return ctx.fail(spec::generic(spec::GenericStatus::PrpOffsetInvalid, true), "PRP1", prp1,
                        pc ? "a queue's base address must be page aligned"
                           : "the PRP list of a non-contiguous queue must be page aligned",
                        section, spec::param_error_location(24, 0));
    if (pc) {
        out.base = prp1;
        return spec::success();
    }
    const uint64_t pages = (uint64_t{entries} * entry_size + page - 1) / page;
    // The same PRP walker as a command's data (§4.3), started at the list: it reads each list
    // page (traced by the DMA service) and names one queue page per entry. The list reads' DMA
    // cost is not added to the command's time, as it never was: traces keep their times.
    PrpWalker walker = PrpWalker::list_only(prp1, pages * page, page);
    Dma dma(s);
    out.pages.reserve(pages);
    while (!walker.done()) {
        uint64_t list_read_ns = 0;
        const WalkStep step = dma.walk(ctx, walker, list_read_ns);
        if (step.kind == WalkStep::Kind::Segment) out.pages.push_back(step.addr);
        if (step.kind != WalkStep::Kind::Error) continue;
        // The walker's rule, in the words of queue memory.
        const std::string after =
            out.pages.empty()
                ? std::string("PRP1")
                : fmt::format("queue PRP list pointer after entry {}", out.pages.size() - 1);
        switch (step.fault) {
        case WalkStep::Fault::ListUnreadable:
            return ctx.fail(step.status, after, step.why.value,
                            "the queue's PRP list is not in mapped host memory", section);
        case WalkStep::Fault::EntryOffset:
            return ctx.fail(step.status, fmt::format("queue PRP list entry {}", out.pages.size()),
                            step.why.value,
                            "every page of a non-contiguous queue must be page aligned", section);
        case WalkStep::Fault::ChainOffset:
            return ctx.fail(step.status, after, step.why.value,
                            "a PRP list chain pointer must be page aligned", section);
        default:
            return ctx.fail(step.status, step.why.field, step.why.value, step.why.rule,
                            step.why.section);
        }
    }
    return spec::success();
}

void record_queue_event(DeviceState &s, CommandContext &ctx, EventKind kind, uint16_t sqid,
                        uint16_t cqid, uint32_t entries) {
    s.trace.record(TraceEvent{.time_ns = s.now_ns,
                              .kind = kind,
                              .sqid = sqid,
                              .cqid = cqid,
                              .cid = ctx.sqe.cid,
                              .len = entries});
}

spec::Status prepare_none(DeviceState &, CommandContext &) {
    return spec::success();
}

// Checks and effects run at execute time, so admin commands in flight together see each
// other's results in order.
spec::Status create_cq(DeviceState &s, CommandContext &ctx) {
    constexpr const char *kSection = "NVMe 1.3 §5.3";
    const auto f = spec::CreateIoCqFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW11", ctx.sqe.cdw11, 0xFFFF0003u, kSection, 11); !st.ok())
        return st;
    if (f.qid == 0 || f.qid > uint32_t{s.ncqa} + 1 || f.qid >= s.cqs.size())
        return cs_fail(
            ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", f.qid,
            fmt::format("I/O CQ identifiers run from 1 to {} (Number of Queues NCQA + 1)",
                        uint32_t{s.ncqa} + 1),
            kSection, spec::param_error_location(40, 0));
    if (s.cqs[f.qid])
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", f.qid,
                       "a completion queue with this identifier already exists", kSection,
                       spec::param_error_location(40, 0));
    if (f.qsize == 0 || f.qsize > s.cap.mqes())
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueSize, "CDW10.QSIZE", f.qsize,
                       fmt::format("QSIZE is 0's based and must be 1..CAP.MQES ({})", s.cap.mqes()),
                       kSection, spec::param_error_location(42, 0));
    if (s.cc.iocqes() != 4)
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueSize, "CC.IOCQES", s.cc.iocqes(),
                       "CC.IOCQES must be 4 (16-byte entries) before I/O CQs are created",
                       "NVMe 1.3 §3.1.5");
    if (!f.pc && s.cap.cqr())
        return invalid_field(ctx, "CDW11.PC", 0,
                             "CAP.CQR = 1: queues must be physically contiguous (PC = 1)", kSection,
                             spec::param_error_location(44, 0));
    // IV names a vector even while interrupts are off (IEN = 0): it must exist (§5.3).
    if (f.iv >= s.config.msix_vectors)
        return cs_fail(ctx, CommandSpecificStatus::InvalidInterruptVector, "CDW11.IV", f.iv,
                       fmt::format("the controller has {} interrupt vectors (0..{})",
                                   s.config.msix_vectors, s.config.msix_vectors - 1),
                       kSection, spec::param_error_location(46, 0));
    CompletionQueue cq;
    cq.qid = f.qid;
    cq.size = f.qsize + 1u;
    cq.ien = f.ien;
    cq.iv = f.iv;
    if (auto st = map_queue_memory(s, ctx, f.pc, cq.size, 16, cq.memory, kSection); !st.ok())
        return st;
    s.cqs[f.qid] = std::move(cq);
    s.io_queues_ever_created = true;
    record_queue_event(s, ctx, EventKind::QueueCreated, 0xFFFF, f.qid, f.qsize + 1u);
    return spec::success();
}

spec::Status create_sq(DeviceState &s, CommandContext &ctx) {
    constexpr const char *kSection = "NVMe 1.3 §5.4";
    const auto f = spec::CreateIoSqFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW11", ctx.sqe.cdw11, 0xFFFF0007u, kSection, 11); !st.ok())
        return st;
    if (f.cqid == 0 || f.cqid >= s.cqs.size() || !s.cqs[f.cqid])
        return cs_fail(ctx, CommandSpecificStatus::CompletionQueueInvalid, "CDW11.CQID", f.cqid,
                       "the completion queue must be an existing I/O CQ (create the CQ first)",
                       kSection, spec::param_error_location(46, 0));
    if (f.qid == 0 || f.qid > uint32_t{s.nsqa} + 1 || f.qid >= s.sqs.size())
        return cs_fail(
            ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", f.qid,
            fmt::format("I/O SQ identifiers run from 1 to {} (Number of Queues NSQA + 1)",
                        uint32_t{s.nsqa} + 1),
            kSection, spec::param_error_location(40, 0));
    if (s.sqs[f.qid])
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", f.qid,
                       "a submission queue with this identifier already exists", kSection,
                       spec::param_error_location(40, 0));
    if (f.qsize == 0 || f.qsize > s.cap.mqes())
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueSize, "CDW10.QSIZE", f.qsize,
                       fmt::format("QSIZE is 0's based and must be 1..CAP.MQES ({})", s.cap.mqes()),
                       kSection, spec::param_error_location(42, 0));
    if (s.cc.iosqes() != 6)
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueSize, "CC.IOSQES", s.cc.iosqes(),
                       "CC.IOSQES must be 6 (64-byte entries) before I/O SQs are created",
                       "NVMe 1.3 §3.1.5");
    if (!f.pc && s.cap.cqr())
        return invalid_field(ctx, "CDW11.PC", 0,
                             "CAP.CQR = 1: queues must be physically contiguous (PC = 1)", kSection,
                             spec::param_error_location(44, 0));
    SubmissionQueue sq;
    sq.qid = f.qid;
    sq.cqid = f.cqid;
    sq.size = f.qsize + 1u;
    sq.qprio = f.qprio;
    if (auto st = map_queue_memory(s, ctx, f.pc, sq.size, 64, sq.memory, kSection); !st.ok())
        return st;
    s.sqs[f.qid] = std::move(sq);
    ++s.cqs[f.cqid]->sq_count;
    s.io_queues_ever_created = true;
    record_queue_event(s, ctx, EventKind::QueueCreated, f.qid, f.cqid, f.qsize + 1u);
    return spec::success();
}

spec::Status delete_sq(DeviceState &s, CommandContext &ctx) {
    constexpr const char *kSection = "NVMe 1.3 §5.6";
    const auto f = spec::DeleteIoQueueFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW10", ctx.sqe.cdw10, 0xFFFFu, kSection, 10); !st.ok())
        return st;
    if (f.qid == 0)
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", 0,
                       "the admin SQ cannot be deleted", kSection,
                       spec::param_error_location(40, 0));
    if (f.qid >= s.sqs.size() || !s.sqs[f.qid])
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", f.qid,
                       "no submission queue with this identifier exists", kSection,
                       spec::param_error_location(40, 0));
    const uint16_t cqid = s.sqs[f.qid]->cqid;
    const uint32_t entries = s.sqs[f.qid]->size;
    s.sqs[f.qid].reset();
    if (s.cqs[cqid]) --s.cqs[cqid]->sq_count;
    ctx.effects.emplace_back(effect::SqDeleted{f.qid});
    record_queue_event(s, ctx, EventKind::QueueDeleted, f.qid, cqid, entries);
    return spec::success();
}

spec::Status delete_cq(DeviceState &s, CommandContext &ctx) {
    constexpr const char *kSection = "NVMe 1.3 §5.5";
    const auto f = spec::DeleteIoQueueFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW10", ctx.sqe.cdw10, 0xFFFFu, kSection, 10); !st.ok())
        return st;
    if (f.qid == 0)
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", 0,
                       "the admin CQ cannot be deleted", kSection,
                       spec::param_error_location(40, 0));
    if (f.qid >= s.cqs.size() || !s.cqs[f.qid])
        return cs_fail(ctx, CommandSpecificStatus::InvalidQueueIdentifier, "CDW10.QID", f.qid,
                       "no completion queue with this identifier exists", kSection,
                       spec::param_error_location(40, 0));
    if (s.cqs[f.qid]->sq_count != 0)
        return cs_fail(
            ctx, CommandSpecificStatus::InvalidQueueDeletion, "CDW10.QID", f.qid,
            fmt::format("{} submission queue(s) still post to this CQ: delete them first",
                        s.cqs[f.qid]->sq_count),
            kSection, spec::param_error_location(40, 0));
    const uint32_t entries = s.cqs[f.qid]->size;
    // Completions of deleted SQs may still wait for room here: they go with the CQ.
    if (!s.cqs[f.qid]->waiting.empty())
        ctx.effects.emplace_back(effect::CompletionsOrphaned{s.cqs[f.qid]->waiting});
    s.cqs[f.qid].reset();
    record_queue_event(s, ctx, EventKind::QueueDeleted, 0xFFFF, f.qid, entries);
    return spec::success();
}

} // namespace

const CommandHandler kCreateIoCq{"Create I/O Completion Queue", prepare_none, create_cq};
const CommandHandler kCreateIoSq{"Create I/O Submission Queue", prepare_none, create_sq};
const CommandHandler kDeleteIoSq{"Delete I/O Submission Queue", prepare_none, delete_sq};
const CommandHandler kDeleteIoCq{"Delete I/O Completion Queue", prepare_none, delete_cq};

} // namespace nvmelab::commands
