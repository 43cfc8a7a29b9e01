#pragma once
// The SQE composer of the Command inspector: the fields a user typed, turned into the console
// lines that do the same (`sqe`, optionally `mem alloc` + `prp` for a data buffer, `submit`,
// `ring`), so the console log shows what happened and the same lines work in scripts.
#include <cstdint>
#include <string>
#include <vector>

#include "core/spec/nvme_spec.h"

namespace nvmelab::ui {

struct ComposedSqe {
    spec::Sqe sqe{};
    bool auto_cid = true;    // let `submit` pick a free CID
    uint16_t qid = 0;        // SQ to submit to (0 = admin)
    uint64_t data_bytes = 0; // > 0: allocate a buffer this big and point the PRPs at it
    bool ring = true;        // ring the tail doorbell after submitting
};

// The console lines, in order. `name` names the SQE and the buffer variable.
std::vector<std::string> composer_lines(const ComposedSqe &c, const std::string &name);

} // namespace nvmelab::ui
