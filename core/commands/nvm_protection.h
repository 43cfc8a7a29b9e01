#pragma once
// End-to-end protection information in the NVM Read and Write commands (NVMe 1.3 §8.3): the
// command-level checks (81h Invalid Protection Information), PRACT's tuple generation on a
// write and the PRCHK checks on both, over the command's de-interleaved data (ctx.buffer) and
// metadata (ctx.metadata_buffer). The rules themselves are in core/pi/protection_info.h.
#include "core/controller/command.h"
#include "core/namespaces/namespace.h"
#include "core/pi/protection_info.h"

namespace nvmelab::commands {

// The protection of the namespace's format in use (type 0: none).
pi::Protection protection_of(const Namespace &ns);

// prepare: PRINFO, (E)ILBRT against the namespace's PI (§8.3.1); 81h with DNR on a mismatch.
spec::Status validate_protection(const Namespace &ns, CommandContext &ctx,
                                 const spec::ReadWriteFields &f);

// execute of a Write, before the blocks are stored: with PRACT the controller fills each
// block's tuple; without it the tuples the host sent are checked per PRCHK.
spec::Status protect_write(const Namespace &ns, CommandContext &ctx,
                           const spec::ReadWriteFields &f);

// execute of a Read, once the blocks and their metadata are in the staging buffers: the PRCHK
// checks (with or without PRACT).
spec::Status check_read(const Namespace &ns, CommandContext &ctx, const spec::ReadWriteFields &f);

} // namespace nvmelab::commands
