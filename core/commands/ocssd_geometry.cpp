// Open-Channel SSD 2.0 Geometry (admin E2h, OC §3 of ../shared/reference/ocssd-2.0.md): the
// 4096-byte structure a host reads, after seeing Identify Namespace vs[0] = 01h, to learn the
// address format, the chunk grid, the write requirements and the media timings.
#include <cstring>

#include <fmt/format.h>

#include "core/commands/handlers.h"

namespace nvmelab::commands {

namespace {
constexpr const char *kSection = "OCSSD 2.0 Geometry (E2h)";

spec::Status prepare(DeviceState &s, CommandContext &ctx) {
    const uint32_t nsid = ctx.sqe.nsid;
    // Geometry is per namespace; QEMU answers NSID 0 or an unknown one with Invalid Namespace
    // or Format (OC §3).
    if (s.find_ocssd_namespace(nsid) == nullptr)
        return ctx.fail(spec::generic(spec::GenericStatus::InvalidNamespaceOrFormat, true), "NSID",
                        nsid,
                        s.find_namespace(nsid) != nullptr
                            ? fmt::format("namespace {} is an NVM namespace: Geometry describes "
                                          "Open-Channel SSD 2.0 namespaces only",
                                          nsid)
                            : fmt::format("valid namespace IDs are 1..{} (Identify NN), and "
                                          "Geometry needs an Open-Channel SSD 2.0 one",
                                          s.namespaces.size()),
                        kSection, spec::param_error_location(4, 0));
    // CDW10-15 are not used (hosts leave them zero).
    if (auto st = check_reserved_dwords(ctx, 10, 15, kSection); !st.ok()) return st;
    set_data_out(ctx, sizeof(spec::ocssd::Geometry));
    return spec::success();
}

spec::Status execute(DeviceState &s, CommandContext &ctx) {
    const spec::ocssd::Geometry g = s.find_ocssd_namespace(ctx.sqe.nsid)->geometry();
    std::memcpy(ctx.buffer.data(), &g, sizeof g);
    ctx.execute_ns = 1'000;
    return spec::success();
}
} // namespace

const CommandHandler kOcssdGeometry{"Geometry", prepare, execute, NsidRule::HandlerChecks,
                                    kSection};

} // namespace nvmelab::commands
