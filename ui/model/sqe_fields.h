#pragma once
// A submission queue entry decoded field by field for the Command inspector: the common dwords
// (opcode, FUSE, PSDT, CID, NSID, MPTR, PRP1/PRP2) and CDW10..15 named per opcode (NVMe 1.3
// §4.2 and each command's section). GL-free, so the tables are unit tested.
#include <cstdint>
#include <string>
#include <vector>

#include "core/spec/field_decode.h"
#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"

namespace nvmelab::ui {

// name = the SQE field ("CDW10.QID"), value = its value, meaning = in words, help = its role.
std::vector<spec::DecodedField> sqe_fields(const spec::Sqe &sqe, spec::CommandSetId set);

} // namespace nvmelab::ui
