// Which command the Data path and Host memory windows show (see explorer_windows.h).
#include "ui/model/prp_map.h"
#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

uint64_t host_page_size(const Session &s) {
    const spec::CcReg cc{s.ctrl().read32(static_cast<uint32_t>(spec::Reg::Cc))};
    return uint64_t{4096} << cc.mps();
}

SelectedCommand selected_command(const Session &s) {
    SelectedCommand out;
    const Controller &ctrl = s.ctrl();
    auto from_view = [&](const CommandView &v) {
        out.valid = true;
        out.sqid = v.sqid;
        out.cid = v.cid;
        out.sqe = v.sqe;
        out.in_flight = true;
        out.view = v;
        out.data_length = v.transfer_bytes;
    };
    auto from_record = [&](const CompletionRecord &r) {
        out.valid = true;
        out.sqid = r.sqid;
        out.cid = r.cqe.cid;
        out.sqe = r.sqe;
        out.done = &r;
        out.data_length = command_data_length(
            r.sqe, ctrl.command_set_of(r.sqid, r.sqe.nsid) == spec::CommandSetId::Admin,
            ctrl.lba_size(r.sqe.nsid));
    };
    if (!s.follow_latest && s.selected_command) {
        const auto ref = *s.selected_command;
        for (const CommandView &v : ctrl.commands())
            if (v.sqid == ref.sqid && v.cid == ref.cid) {
                from_view(v);
                return out;
            }
        if (const CompletionRecord *r = s.find_completion(ref.sqid, ref.cid)) from_record(*r);
        return out;
    }
    if (const CompletionRecord *r = s.inspected_completion()) {
        from_record(*r);
        return out;
    }
    const auto views = ctrl.commands();
    if (!views.empty()) from_view(views.front());
    return out;
}

} // namespace nvmelab::ui
