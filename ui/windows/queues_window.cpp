// Queues window: each submission and completion queue as a ring of slots, read from host memory
// (where the queues live) and from the controller's queue and command views.
//
//   SQ slots: submitted and not fetched yet (between head and tail), fetched and in flight
//             (coloured by the command's pipeline phase), or free.
//   CQ slots: each shows the phase tag stored in it; slots between head and tail hold
//             completions the host has not released yet (green success, red error).
#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"
#include "imgui_internal.h" // the child window's scroll and clip rectangle
#include "ui/windows/layout_probe.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

namespace {

constexpr uint32_t kMaxSlotsShown = 256;

const ImU32 kFree = IM_COL32(55, 58, 66, 255);
const ImU32 kFreeUsed = IM_COL32(78, 82, 94, 255);
// Near white: no pipeline phase is this light, and "data out" is a saturated blue.
const ImU32 kSubmitted = IM_COL32(215, 220, 232, 255);
const ImU32 kCqeOk = IM_COL32(70, 170, 90, 255);
const ImU32 kCqeError = IM_COL32(200, 70, 70, 255);
const ImU32 kHeadColour = IM_COL32(250, 220, 90, 255);
const ImU32 kTailColour = IM_COL32(120, 220, 250, 255);

// Is slot i in the ring interval [from, to)?
bool in_range(uint32_t i, uint32_t from, uint32_t to, uint32_t size) {
    if (size == 0) return false;
    const uint32_t dist = (i + size - from) % size;
    const uint32_t len = (to + size - from) % size;
    return dist < len;
}

template <typename T> bool read_entry(const SparseHostMemory &mem, uint64_t addr, T &out) {
    std::array<uint8_t, sizeof(T)> bytes{};
    if (!mem.read(addr, bytes)) return false;
    std::memcpy(&out, bytes.data(), sizeof(T));
    return true;
}

const char *prio_name(uint8_t qprio) {
    static const char *const names[] = {"urgent", "high", "medium", "low"};
    return names[qprio & 3];
}

struct SlotLook {
    ImU32 fill = kFree;
    char text[4] = {};
    std::string tip;
    const CompletionRecord *record = nullptr; // CQ slots: the completion to inspect
    bool has_cqe = false;
    spec::Cqe cqe{};
};

// Draws the ring as rows of cells; returns the slot clicked, or -1.
int draw_ring(const QueueView &q, const std::vector<SlotLook> &looks, uint32_t first) {
    const float cell = ImGui::GetFontSize() + 3.0f;
    const float gap = 2.0f;
    const float label_h = ImGui::GetFontSize();
    const float avail = ImGui::GetContentRegionAvail().x;
    const auto per_row = static_cast<uint32_t>(
        std::clamp((avail - 4.0f) / (cell + gap), 4.0f, 64.0f)); // cells per row
    const auto shown = static_cast<uint32_t>(looks.size());
    const uint32_t rows = (shown + per_row - 1) / per_row;
    const float row_h = cell + 2 * label_h;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList *dl = ImGui::GetWindowDrawList();
    int clicked = -1;
    int hovered = -1;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (uint32_t k = 0; k < shown; ++k) {
        const uint32_t slot = (first + k) % q.size;
        const float x = origin.x + static_cast<float>(k % per_row) * (cell + gap);
        const float y = origin.y + static_cast<float>(k / per_row) * row_h + label_h;
        const ImVec2 a{x, y};
        const ImVec2 b{x + cell, y + cell};
        const SlotLook &look = looks[k];
        dl->AddRectFilled(a, b, look.fill, 2.0f);
        if (look.text[0] != 0) {
            const ImVec2 ts = ImGui::CalcTextSize(look.text);
            dl->AddText({x + (cell - ts.x) / 2, y + (cell - ts.y) / 2},
                        IM_COL32(235, 235, 235, 255), look.text);
        }
        const bool head = slot == q.head;
        const bool tail = slot == q.tail;
        if (head) {
            dl->AddText({x + (cell - ImGui::CalcTextSize("H").x) / 2, y - label_h}, kHeadColour,
                        "H");
            dl->AddRect(a, b, kHeadColour, 2.0f, 0, 1.5f);
        }
        if (tail) {
            dl->AddText({x + (cell - ImGui::CalcTextSize("T").x) / 2, y + cell}, kTailColour, "T");
            if (!head) dl->AddRect(a, b, kTailColour, 2.0f, 0, 1.5f);
        }
        if (mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y)
            hovered = static_cast<int>(k);
    }
    ImGui::InvisibleButton("ring", {std::max(1.0f, static_cast<float>(per_row) * (cell + gap)),
                                    std::max(1.0f, static_cast<float>(rows) * row_h)});
    if (hovered >= 0 && ImGui::IsItemHovered()) {
        const SlotLook &look = looks[static_cast<size_t>(hovered)];
        ImGui::BeginTooltip();
        ImGui::TextUnformatted(look.tip.c_str());
        ImGui::EndTooltip();
        if (ImGui::IsItemClicked()) clicked = hovered;
    }
    return clicked;
}

// The space draw_ring takes for `shown` slots at the current width.
ImVec2 ring_size(uint32_t shown) {
    const float cell = ImGui::GetFontSize() + 3.0f;
    const float gap = 2.0f;
    const float label_h = ImGui::GetFontSize();
    const auto per_row = static_cast<uint32_t>(
        std::clamp((ImGui::GetContentRegionAvail().x - 4.0f) / (cell + gap), 4.0f, 64.0f));
    const uint32_t rows = (shown + per_row - 1) / per_row;
    return {std::max(1.0f, static_cast<float>(per_row) * (cell + gap)),
            std::max(1.0f, static_cast<float>(rows) * (cell + 2 * label_h))};
}

// A ring scrolled out of view only takes its space: with 64 queue pairs of 1024 entries the
// window would otherwise build and draw some 33,000 slots every frame.
bool skip_hidden_ring(uint32_t shown) {
    const ImVec2 size = ring_size(shown);
    if (ImGui::IsRectVisible(size)) return false;
    ImGui::Dummy(size);
    return true;
}

// First slot to show when the queue has more slots than fit: a window around the head.
uint32_t first_shown(const QueueView &q) {
    if (q.size <= kMaxSlotsShown) return 0;
    return (q.head / 32) * 32;
}

void sq_ring(Session &s, const QueueView &q, const std::vector<CommandView> &cmds) {
    const uint32_t first = first_shown(q);
    const uint32_t shown = std::min(q.size, kMaxSlotsShown);
    if (skip_hidden_ring(shown)) return;
    std::vector<SlotLook> looks(shown);
    std::vector<spec::Sqe> sqes(shown);
    std::vector<bool> readable(shown, false);
    for (uint32_t k = 0; k < shown; ++k) {
        const uint32_t slot = (first + k) % q.size;
        if (q.contiguous) readable[k] = read_entry(s.mem(), q.base + uint64_t{slot} * 64, sqes[k]);
        SlotLook &look = looks[k];
        const bool submitted = in_range(slot, q.head, q.tail, q.size);
        // A slot that ever held a command (memory not all zero).
        static const spec::Sqe kZero{};
        const bool used = readable[k] && std::memcmp(&sqes[k], &kZero, sizeof kZero) != 0;
        look.fill = submitted ? kSubmitted : used ? kFreeUsed : kFree;
        std::string what = submitted ? "submitted, waiting to be fetched"
                                     : "free (the host may write a new command here)";
        look.tip = fmt::format("SQ {} slot {}: {}", q.qid, slot, what);
        if (readable[k] && (submitted || used)) {
            const spec::Sqe &e = sqes[k];
            look.tip += fmt::format("\n{} (opc 0x{:02x})  cid={}  nsid={}\nprp1=0x{:x}  "
                                    "prp2=0x{:x}\ncdw10=0x{:08x}  cdw11=0x{:08x}  "
                                    "cdw12=0x{:08x}",
                                    opcode_text(s.ctrl(), q.qid, e.nsid, e.opc), e.opc, e.cid,
                                    e.nsid, e.prp1, e.prp2, e.cdw10, e.cdw11, e.cdw12);
        }
    }
    // Commands in flight sit in slots already fetched (before the head): find each one's slot by
    // its CID, searching backwards from the head.
    for (const CommandView &c : cmds) {
        // A command waiting only for its interrupt has its CQE posted already (the host may
        // have reaped it): its SQ slot is free again, so it is not shown as in flight there.
        if (c.sqid != q.qid || c.phase == CommandPhase::Interrupt) continue;
        for (uint32_t back = 1; back <= q.size; ++back) {
            const uint32_t slot = (q.head + q.size - back) % q.size;
            const uint32_t k = (slot + q.size - first) % q.size;
            if (k >= shown) continue;
            if (!readable[k] || sqes[k].cid != c.cid || sqes[k].opc != c.opcode) continue;
            SlotLook &look = looks[k];
            look.fill = phase_colour(c.phase);
            look.text[0] = static_cast<char>(std::toupper(phase_label(c.phase)[0]));
            look.tip = fmt::format("SQ {} slot {}: fetched, in flight: {}\n{} cid={}", q.qid, slot,
                                   phase_label(c.phase),
                                   opcode_text(s.ctrl(), q.qid, c.sqe.nsid, c.opcode), c.cid);
            if (c.transfer_bytes != 0)
                look.tip += fmt::format("\ndata {} of {} bytes", c.transferred, c.transfer_bytes);
            break;
        }
    }
    draw_ring(q, looks, first);
}

void cq_ring(Session &s, const QueueView &q) {
    const uint32_t first = first_shown(q);
    const uint32_t shown = std::min(q.size, kMaxSlotsShown);
    if (skip_hidden_ring(shown)) return;
    std::vector<SlotLook> looks(shown);
    for (uint32_t k = 0; k < shown; ++k) {
        const uint32_t slot = (first + k) % q.size;
        SlotLook &look = looks[k];
        spec::Cqe e{};
        const bool readable = q.contiguous && read_entry(s.mem(), q.base + uint64_t{slot} * 16, e);
        const bool posted = in_range(slot, q.head, q.tail, q.size);
        look.has_cqe = readable;
        look.cqe = e;
        look.text[0] = readable ? (e.phase() ? '1' : '0') : '?';
        const bool ok = e.decoded_status().ok();
        look.fill = posted ? (ok ? kCqeOk : kCqeError) : e.phase() ? kFreeUsed : kFree;
        std::string state = posted ? "posted, not yet released by the host (CQ head doorbell)"
                                   : "free for the controller";
        look.tip = fmt::format("CQ {} slot {}: {}\nphase tag P={} (the controller writes P={} "
                               "in this lap)",
                               q.qid, slot, state, e.phase() ? 1 : 0, q.phase ? 1 : 0);
        if (readable && (posted || e.status != 0 || e.cid != 0 || e.sqid != 0)) {
            const spec::Status st = e.decoded_status();
            look.tip +=
                fmt::format("\ncid={} sqid={} sqhd={} dw0=0x{:08x}\nstatus 0x{:04x}: {}", e.cid,
                            e.sqid, e.sqhd, e.dw0, st.field(), spec::status_name(st));
            look.record = s.find_completion(e.sqid, e.cid);
            look.tip += "\n(click to inspect)";
        }
    }
    const int clicked = draw_ring(q, looks, first);
    if (clicked >= 0) {
        const SlotLook &look = looks[static_cast<size_t>(clicked)];
        if (look.record != nullptr) {
            s.select_completion(*look.record);
        } else if (look.has_cqe) {
            CompletionRecord r;
            r.sqid = look.cqe.sqid;
            r.cqid = q.qid;
            r.cqe = look.cqe;
            s.select_completion(r);
        }
    }
}

void legend() {
    const float sz = ImGui::GetFontSize() * 0.8f;
    const float right = ImGui::GetWindowContentRegionMax().x;
    bool first = true;
    auto swatch = [&](ImU32 c, const char *label) {
        const float w = sz + 3 + ImGui::CalcTextSize(label).x;
        if (!first) {
            ImGui::SameLine(0, 10);
            if (ImGui::GetCursorPosX() + w > right) ImGui::NewLine();
        }
        first = false;
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled({p.x, p.y + 2}, {p.x + sz, p.y + 2 + sz}, c,
                                                  2.0f);
        ImGui::Dummy({sz, sz});
        ImGui::SameLine(0, 3);
        ImGui::TextUnformatted(label);
    };
    swatch(kSubmitted, "submitted");
    for (CommandPhase p : {CommandPhase::Decode, CommandPhase::TransferIn, CommandPhase::Execute,
                           CommandPhase::TransferOut, CommandPhase::Complete, CommandPhase::WaitCq,
                           CommandPhase::Interrupt, CommandPhase::Outstanding})
        swatch(phase_colour(p), phase_label(p));
    swatch(kCqeOk, "CQE ok");
    swatch(kCqeError, "CQE error");
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("H head, T tail; the digit in a CQ slot is its phase tag P; a letter in an "
                       "SQ slot is the phase of the command fetched from it.");
    ImGui::PopStyleColor();
}

// Wrapped, dimmed text.
void info_text(const std::string &text) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
}

void inflight_table(const Controller &ctrl, const std::vector<CommandView> &cmds) {
    const ImGuiTableFlags flags =
        ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("inflight", 5, flags)) return;
    ImGui::TableSetupColumn("SQ");
    ImGui::TableSetupColumn("CID");
    ImGui::TableSetupColumn("command");
    ImGui::TableSetupColumn("phase");
    ImGui::TableSetupColumn("data", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const CommandView &c : cmds) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%u", c.sqid);
        ImGui::TableNextColumn();
        ImGui::Text("%u", c.cid);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(opcode_text(ctrl, c.sqid, c.sqe.nsid, c.opcode).c_str());
        ImGui::TableNextColumn();
        ImGui::PushStyleColor(ImGuiCol_Text, phase_colour(c.phase));
        ImGui::TextUnformatted(phase_label(c.phase));
        ImGui::PopStyleColor();
        ImGui::TableNextColumn();
        if (c.transfer_bytes == 0) {
            ImGui::TextDisabled("no data");
        } else {
            const std::string label = fmt::format("{} / {} B", c.transferred, c.transfer_bytes);
            ImGui::ProgressBar(static_cast<float>(c.transferred) /
                                   static_cast<float>(c.transfer_bytes),
                               {-FLT_MIN, 0}, label.c_str());
        }
    }
    ImGui::EndTable();
}

} // namespace

void QueuesWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    const std::vector<QueueView> queues = s.ctrl().queues();
    const std::vector<CommandView> cmds = s.ctrl().commands();
    if (queues.empty()) {
        ImGui::TextWrapped("No queues. The admin queue pair exists once the host programs AQA, "
                           "ASQ and ACQ and sets CC.EN = 1 (console: 'enable'); I/O queue pairs "
                           "come from Create I/O CQ/SQ commands ('queue create').");
        ImGui::End();
        return;
    }
    legend();
    ImGui::Checkbox("show the admin queues", &show_admin_);
    ImGui::SameLine();
    // Commands whose CQE is posted and only their interrupt is due are done for the host.
    const size_t pending_irq =
        static_cast<size_t>(std::count_if(cmds.begin(), cmds.end(), [](const CommandView &c) {
            return c.phase == CommandPhase::Interrupt;
        }));
    ImGui::TextDisabled("| commands in flight: %zu", cmds.size() - pending_irq);
    if (pending_irq) {
        ImGui::SameLine();
        ImGui::TextDisabled("(+%zu completed, interrupt pending)", pending_irq);
    }
    help_marker("H = head, T = tail. SQ: the host writes commands at the tail and rings the "
                "tail doorbell; the controller fetches at the head. CQ: the controller posts at "
                "the tail with the current phase tag (flipped every lap); the host consumes at "
                "the head and writes the head doorbell. The digit in a CQ slot is the phase "
                "tag stored there. Click a CQ slot to inspect its completion.");
    ImGui::Separator();
    ImGui::BeginChild("rings");
    float lit_top = -1, lit_bottom = -1; // the highlighted queues' extent in the child
    // A yellow frame from a highlighted queue's title line (`top`, in window coordinates) down
    // to the cursor, recorded for the layout probe.
    auto mark = [&](float top, const std::string &name) {
        const ImGuiWindow *w = ImGui::GetCurrentWindowRead();
        const float y0 = w->Pos.y - w->Scroll.y + top;
        const float y1 = ImGui::GetCursorScreenPos().y - ImGui::GetStyle().ItemSpacing.y;
        const ImRect &clip = w->InnerClipRect;
        ImGui::GetWindowDrawList()->AddRect({clip.Min.x, y0}, {clip.Max.x - 1, y1},
                                            IM_COL32(255, 200, 40, 255), 2.0f, 0, 2.0f);
        layout_probe().items.push_back({"queues",
                                        name,
                                        {clip.Min.x, y0, clip.Max.x - 1, y1},
                                        {clip.Min.x, clip.Min.y, clip.Max.x, clip.Max.y}});
        lit_bottom = ImGui::GetCursorPosY();
    };
    if (!cmds.empty() && ImGui::TreeNodeEx("Commands in flight", ImGuiTreeNodeFlags_DefaultOpen)) {
        inflight_table(s.ctrl(), cmds);
        ImGui::TreePop();
    }
    // I/O queue pairs first, the admin pair last.
    std::vector<const QueueView *> cqs;
    for (const QueueView &q : queues)
        if (!q.is_sq && q.qid != 0) cqs.push_back(&q);
    for (const QueueView &q : queues)
        if (!q.is_sq && q.qid == 0 && show_admin_) cqs.push_back(&q);
    for (const QueueView *cqp : cqs) {
        const QueueView &cq = *cqp;
        ImGui::PushID(cq.qid);
        // The SQs that post into this CQ, then the CQ.
        for (const QueueView &sq : queues) {
            if (!sq.is_sq || sq.cqid != cq.qid) continue;
            ImGui::PushID(sq.qid + 0x10000);
            const float top = ImGui::GetCursorPosY();
            ImGui::TextColored({0.55f, 0.8f, 1.0f, 1}, "SQ %u", sq.qid);
            const std::string sq_name = fmt::format("SQ{}", sq.qid);
            const bool sq_lit = s.highlights.names("queues", sq_name);
            if (sq_lit) lit_top = lit_top < 0 ? top : lit_top;
            ImGui::SameLine();
            std::string info = fmt::format("{} entries  head {}  tail {}  -> CQ {}  {}  at 0x{:x}",
                                           sq.size, sq.head, sq.tail, sq.cqid,
                                           sq.qid == 0 ? "admin" : prio_name(sq.qprio), sq.base);
            if (sq.size > kMaxSlotsShown)
                info += fmt::format("  (slots {}.. of {} shown)", first_shown(sq), sq.size);
            info_text(info);
            sq_ring(s, sq, cmds);
            if (sq_lit) mark(top, sq_name);
            ImGui::PopID();
        }
        const float cq_top = ImGui::GetCursorPosY();
        ImGui::TextColored({0.5f, 0.9f, 0.6f, 1}, "CQ %u", cq.qid);
        const std::string cq_name = fmt::format("CQ{}", cq.qid);
        const bool cq_lit = s.highlights.names("queues", cq_name);
        if (cq_lit) lit_top = lit_top < 0 ? cq_top : lit_top;
        ImGui::SameLine();
        std::string info = fmt::format(
            "{} entries  head {}  tail {}  phase {}  vector {}{}{}  at 0x{:x}", cq.size, cq.head,
            cq.tail, cq.phase ? 1 : 0, cq.iv, cq.ien ? "" : " (interrupts off)",
            cq.waiting ? fmt::format("  {} waiting for room", cq.waiting) : "", cq.base);
        if (s.driver().has_queue(cq.qid)) {
            const HostQueuePair &h = s.driver().queue(cq.qid);
            info += fmt::format("  | host: head {}, expects P={}", h.cq_head, h.phase ? 1 : 0);
        }
        info_text(info);
        if (cq.size > kMaxSlotsShown)
            info_text(fmt::format("(slots {}.. of {} shown)", first_shown(cq), cq.size));
        cq_ring(s, cq);
        if (cq_lit) mark(cq_top, cq_name);
        ImGui::Separator();
        ImGui::PopID();
    }
    // A step that names queues scrolls them into view (this frame and the next: ImGui applies
    // a scroll a frame late), whatever scroll position the window kept.
    if (s.highlights.version() != highlights_seen_) {
        highlights_seen_ = s.highlights.version();
        scroll_frames_ = 2;
    }
    if (scroll_frames_ > 0 && lit_top >= 0) {
        --scroll_frames_;
        // The highlighted queues end at the bottom of the view, or start at its top when they
        // do not fit.
        const float view = ImGui::GetWindowHeight();
        const float want =
            lit_bottom - lit_top <= view ? std::max(0.0f, lit_bottom - view + 8) : lit_top;
        ImGui::SetScrollY(std::min(want, lit_top));
    }
    ImGui::EndChild();
    ImGui::End();
}

} // namespace nvmelab::ui
