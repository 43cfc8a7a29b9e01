#include "core/commands/nvm_protection.h"

#include <fmt/format.h>

namespace nvmelab::commands {

namespace {
constexpr const char *kSection = "NVMe 1.3 §8.3";

// Byte 51 bit 2 of the SQE is CDW12 bit 26, the low bit of PRINFO; byte 56 is CDW14.
uint16_t location_of(const char *field) {
    return std::string_view(field) == "CDW12.PRINFO" ? spec::param_error_location(51, 2)
                                                     : spec::param_error_location(56, 0);
}

// Runs `per_block(index, data, metadata)` over the command's blocks; stops at the first
// failure it reports.
template <typename PerBlock>
spec::Status each_block(const pi::Protection &p, CommandContext &ctx, uint64_t blocks,
                        PerBlock &&per_block) {
    for (uint64_t i = 0; i < blocks; ++i) {
        const std::span<uint8_t> data(ctx.buffer.data() + i * p.data_size, p.data_size);
        const std::span<uint8_t> md(ctx.metadata_buffer.data() + i * p.metadata_size,
                                    p.metadata_size);
        if (auto st = per_block(i, data, md); !st.ok()) return st;
    }
    return spec::success();
}

spec::Status fail_check(CommandContext &ctx, const pi::CheckFailure &failure) {
    ctx.error_lba = failure.lba;
    return ctx.fail(failure.status(),
                    fmt::format("{} of LBA {}", pi::check_name(failure.check), failure.lba),
                    failure.found, failure.describe(), kSection);
}

spec::Status check_blocks(const pi::Protection &p, CommandContext &ctx,
                          const spec::ReadWriteFields &f) {
    const pi::PiRequest r = pi::PiRequest::from(f);
    return each_block(p, ctx, f.block_count(),
                      [&](uint64_t i, std::span<uint8_t> data, std::span<uint8_t> md) {
                          if (auto failure = pi::check(p, r, i, data, md))
                              return fail_check(ctx, *failure);
                          return spec::success();
                      });
}
} // namespace

pi::Protection protection_of(const Namespace &ns) {
    return pi::Protection::from_dps(ns.dps(), ns.lba_size(), ns.metadata_size());
}

spec::Status validate_protection(const Namespace &ns, CommandContext &ctx,
                                 const spec::ReadWriteFields &f) {
    const auto bad = pi::validate(protection_of(ns), pi::PiRequest::from(f));
    if (!bad) return spec::success();
    ctx.error_lba = f.slba;
    return ctx.fail(
        spec::command_specific(spec::CommandSpecificStatus::InvalidProtectionInformation, true),
        bad->field, bad->value, bad->rule, kSection, location_of(bad->field));
}

spec::Status protect_write(const Namespace &ns, CommandContext &ctx,
                           const spec::ReadWriteFields &f) {
    const pi::Protection p = protection_of(ns);
    if (!p.enabled()) return spec::success();
    if (!f.pract()) return check_blocks(p, ctx, f);
    const pi::PiRequest r = pi::PiRequest::from(f);
    return each_block(p, ctx, f.block_count(),
                      [&](uint64_t i, std::span<uint8_t> data, std::span<uint8_t> md) {
                          pi::generate(p, r, i, data, md);
                          return spec::success();
                      });
}

spec::Status check_read(const Namespace &ns, CommandContext &ctx, const spec::ReadWriteFields &f) {
    const pi::Protection p = protection_of(ns);
    if (!p.enabled()) return spec::success();
    return check_blocks(p, ctx, f);
}

} // namespace nvmelab::commands
