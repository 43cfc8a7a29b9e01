#include "core/controller/prp_walker.h"

#include <algorithm>
#include <span>

#include <fmt/format.h>

namespace nvmelab {

namespace {
constexpr const char *kPrpSection = "NVMe 1.3 §4.3";

WalkStep error(spec::Status status, std::string field, uint64_t value, std::string rule) {
    WalkStep s;
    s.kind = WalkStep::Kind::Error;
    s.status = status;
    s.why = Explanation{std::move(field), value, std::move(rule), kPrpSection};
    return s;
}

WalkStep offset_invalid(std::string field, uint64_t value, std::string rule,
                        WalkStep::Fault fault = WalkStep::Fault::None) {
    WalkStep s = error(spec::generic(spec::GenericStatus::PrpOffsetInvalid, true), std::move(field),
                       value, std::move(rule));
    s.fault = fault;
    return s;
}
} // namespace

PrpWalker::PrpWalker(uint64_t prp1, uint64_t prp2, uint64_t length, uint64_t page_size)
    : prp1_(prp1), prp2_(prp2), remaining_(length), page_size_(page_size) {}

PrpWalker PrpWalker::list_only(uint64_t list, uint64_t length, uint64_t page_size) {
    PrpWalker w(list, 0, length, page_size);
    w.first_stage_ = Stage::List;
    w.start(length);
    return w;
}

void PrpWalker::start(uint64_t length) {
    remaining_ = length;
    stage_ = first_stage_;
    list_addr_ = first_stage_ == Stage::List ? prp1_ : 0;
    list_.clear();
    list_pos_ = 0;
    list_index_ = 0;
}

std::optional<WalkStep> PrpWalker::check_entries() const {
    // A list-only transfer has no entry before its list: its caller checks the list pointer.
    if (remaining_ == 0 || first_stage_ == Stage::List) return std::nullopt;
    // The offset of every PRP entry is dword aligned: bits 1:0 are 0 (§4.3, Figure 14).
    if ((prp1_ & 0x3) != 0)
        return offset_invalid("PRP1", prp1_, "a PRP entry's offset must be dword aligned");
    const uint64_t first = std::min(remaining_, page_size_ - (prp1_ & (page_size_ - 1)));
    const uint64_t rest = remaining_ - first;
    if (rest == 0) return std::nullopt;
    if (rest <= page_size_) {
        if ((prp2_ & (page_size_ - 1)) != 0)
            return offset_invalid("PRP2", prp2_,
                                  "PRP2 points to the second data page, so its offset must be 0");
    } else if ((prp2_ & 0x7) != 0) {
        return offset_invalid("PRP2", prp2_, "a PRP list pointer must be qword aligned",
                              WalkStep::Fault::ListPointerOffset);
    }
    return std::nullopt;
}

WalkStep PrpWalker::data_entry(uint64_t entry, int64_t list_entry) {
    // Every data entry after PRP1 starts at a page boundary (§4.3: offset shall be 0h).
    if ((entry & (page_size_ - 1)) != 0)
        return offset_invalid(
            list_entry < 0 ? std::string("PRP2")
                           : fmt::format("PRP list {} entry {}", list_index_, list_entry),
            entry, "every PRP entry after PRP1 must have offset 0", WalkStep::Fault::EntryOffset);
    const uint64_t n = std::min(remaining_, page_size_);
    remaining_ -= n;
    return WalkStep{WalkStep::Kind::Segment, entry, n, spec::success(), {}};
}

WalkStep PrpWalker::next(const HostMemory &memory) {
    if (remaining_ == 0) return WalkStep{};
    switch (stage_) {
    case Stage::First: {
        if (auto bad = check_entries()) return *bad;
        const uint64_t n = std::min(remaining_, page_size_ - (prp1_ & (page_size_ - 1)));
        remaining_ -= n;
        stage_ = remaining_ > page_size_ ? Stage::List : Stage::Second;
        if (stage_ == Stage::List) list_addr_ = prp2_;
        return WalkStep{WalkStep::Kind::Segment, prp1_, n, spec::success(), {}};
    }
    case Stage::Second:
        return data_entry(prp2_, -1);
    case Stage::List:
        break;
    }

    if (list_pos_ == list_.size()) {
        // Read the next list page: as many entries as the data still needs, up to the end of
        // the page. A needed chain pointer is the page's last entry.
        const uint64_t in_page = (page_size_ - (list_addr_ & (page_size_ - 1))) / 8;
        const uint64_t pages_left = (remaining_ + page_size_ - 1) / page_size_;
        const uint64_t count = std::min(in_page, pages_left);
        // The entries are read into list_'s own storage, then decoded from little endian in
        // place (no staging allocation per list page).
        list_.assign(count, 0);
        const std::span<uint8_t> raw(reinterpret_cast<uint8_t *>(list_.data()), count * 8);
        if (!memory.dma_read(list_addr_, raw)) {
            list_.assign(count, 0);
            WalkStep s = error(spec::generic(spec::GenericStatus::DataTransferError), "PRP list",
                               list_addr_, "the PRP list is not in mapped host memory");
            s.fault = WalkStep::Fault::ListUnreadable;
            return s;
        }
        for (uint64_t i = 0; i < count; ++i) {
            uint64_t v = 0;
            for (int b = 7; b >= 0; --b)
                v = (v << 8) | raw[i * 8 + static_cast<uint64_t>(b)];
            list_[i] = v;
        }
        list_pos_ = 0;
        ++list_index_;
        return WalkStep{WalkStep::Kind::ListRead, list_addr_, count, spec::success(), {}};
    }

    const uint64_t entry = list_[list_pos_++];
    const bool last_in_page = list_pos_ == list_.size();
    const uint64_t in_page_total = (page_size_ - (list_addr_ & (page_size_ - 1))) / 8;
    if (last_in_page && list_.size() == in_page_total && remaining_ > page_size_) {
        // The last entry of a full list page points to the next list page (§4.3), which
        // must be page aligned.
        if ((entry & (page_size_ - 1)) != 0)
            return offset_invalid(fmt::format("PRP list {} chain entry", list_index_), entry,
                                  "a PRP list chain pointer must be page aligned",
                                  WalkStep::Fault::ChainOffset);
        list_addr_ = entry;
        list_.clear();
        list_pos_ = 0;
        return next(memory);
    }
    return data_entry(entry, static_cast<int64_t>(list_pos_ - 1));
}

} // namespace nvmelab
