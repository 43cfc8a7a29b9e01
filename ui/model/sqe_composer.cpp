// Console lines for a composed SQE (see sqe_composer.h).
#include "ui/model/sqe_composer.h"

#include <fmt/format.h>

namespace nvmelab::ui {

std::vector<std::string> composer_lines(const ComposedSqe &c, const std::string &name) {
    const spec::Sqe &s = c.sqe;
    std::vector<std::string> lines;
    std::string sqe = fmt::format("sqe {} opc=0x{:02x} fuse={} psdt={} nsid=0x{:x}", name, s.opc,
                                  s.fuse(), s.psdt(), s.nsid);
    sqe += c.auto_cid ? std::string(" cid=auto") : fmt::format(" cid={}", s.cid);
    sqe += fmt::format(" mptr=0x{:x} prp1=0x{:x} prp2=0x{:x}", s.mptr, s.prp1, s.prp2);
    for (int n = 10; n <= 15; ++n)
        sqe += fmt::format(" cdw{}=0x{:x}", n, s.cdw(n));
    lines.push_back(std::move(sqe));
    if (c.data_bytes > 0) {
        lines.push_back(fmt::format("mem alloc {}buf {}", name, c.data_bytes));
        lines.push_back(fmt::format("prp {} ${}buf {}", name, name, c.data_bytes));
    }
    lines.push_back(fmt::format("submit {} {}", c.qid, name));
    if (c.ring) lines.push_back(fmt::format("ring {}", c.qid));
    return lines;
}

} // namespace nvmelab::ui
