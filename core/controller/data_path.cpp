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
        path.metadata.walker = ContiguousWalker(sqe.mptr);
        return std::nullopt;
    default: // 01b and 10b: SGLs (§4.4); 11b is reserved
        return DataPointerRefusal{admin ? "admin commands must use PRPs (PSDT = 00b)"
                                        : "SGLs are not supported (Identify SGLS = 0), PSDT "
                                          "must be 00b"};
    }
}

} // namespace nvmelab
