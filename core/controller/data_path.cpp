#include "core/controller/data_path.h"

namespace nvmelab {

void DataTransfer::start(uint64_t length) {
    bytes = length;
    moved = 0;
    std::visit([&](auto &w) { w.start(length); }, walker);
}

std::optional<WalkStep> DataTransfer::check_entries() const {
    return std::visit([](const auto &w) { return w.check_entries(); }, walker);
}

WalkStep DataTransfer::next(const HostMemory &memory) {
    return std::visit([&](auto &w) { return w.next(memory); }, walker);
}

bool DataTransfer::done() const {
    return std::visit([](const auto &w) { return w.done(); }, walker);
}

const char *DataTransfer::entry_field() const {
    return std::visit([](const auto &w) { return w.entry_field(); }, walker);
}

const char *DataTransfer::section() const {
    return std::visit([](const auto &w) { return w.section(); }, walker);
}

std::optional<DataPointerRefusal> choose_data_pointers(const spec::Sqe &sqe, bool admin,
                                                       uint64_t page_size, DataPath &path) {
    switch (sqe.psdt()) {
    case 0b00: // PRPs for the data; MPTR is the address of a contiguous metadata buffer
        path.data.walker = PrpWalker(sqe.prp1, sqe.prp2, 0, page_size);
        path.metadata.walker = ContiguousWalker(sqe.mptr, 4);
        return std::nullopt;
    case 0b01:   // SGL1 for the data; MPTR a contiguous, byte-aligned buffer (SGLS bit 17)
    case 0b10: { // SGL1 for the data; MPTR points to a one-descriptor SGL (SGLS bit 19)
        if (admin) return DataPointerRefusal{"admin commands must use PRPs (PSDT = 00b)"};
        const bool to_device =
            spec::opcode_direction(sqe.opc) == spec::DataDirection::HostToController;
        path.data.walker = SglWalker(spec::SglDescriptor::from_dptr(sqe.prp1, sqe.prp2), to_device);
        if (sqe.psdt() == 0b01)
            path.metadata.walker = ContiguousWalker(sqe.mptr);
        else
            path.metadata.walker = SglWalker::metadata_at(sqe.mptr, to_device);
        return std::nullopt;
    }
    default:
        return DataPointerRefusal{admin ? "admin commands must use PRPs (PSDT = 00b)"
                                        : "PSDT 11b is reserved"};
    }
}

} // namespace nvmelab
