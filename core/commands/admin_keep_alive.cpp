// Keep Alive (NVMe 1.3 §5.16, §7.12): restarts the Keep Alive Timer that Set Features KATO
// (feature 0Fh) started. The command has no fields; with KATO = 0 it does nothing.
#include "core/commands/handlers.h"

namespace nvmelab::commands {

namespace {
constexpr const char *kSection = "NVMe 1.3 §5.16";

spec::Status prepare(DeviceState &, CommandContext &ctx) {
    return check_reserved_dwords(ctx, 10, 15, kSection);
}

spec::Status execute(DeviceState &s, CommandContext &ctx) {
    ctx.execute_ns = 200;
    s.restart_keep_alive();
    return spec::success();
}
} // namespace

const CommandHandler kKeepAlive{"Keep Alive", prepare, execute};

} // namespace nvmelab::commands
