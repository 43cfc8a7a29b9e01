// Format NVM (NVMe 1.3 §5.23): switches a namespace to another of its LBA formats, with the
// metadata layout (MSET) and protection (PI, PIL) given, erasing every block.
//
// Every format erases: the blocks' data and metadata read as zeros afterwards, cached ones
// included. A low-level format leaves the old blocks meaningless anyway (their size may change),
// and one rule is easier to teach than "sometimes the old bytes show through". So SES 001b (user
// data erase) is met by the same step; cryptographic erase (SES 010b) is not offered (FNA bit 2
// = 0). FNA bits 0 and 1 are 0: a format or erase applies to the namespace NSID names, or to
// every namespace with NSID FFFFFFFFh.
#include <fmt/format.h>

#include "core/commands/handlers.h"

namespace nvmelab::commands {

using spec::GenericStatus;

namespace {
constexpr const char *kSection = "NVMe 1.3 §5.23";
constexpr uint32_t kAllNamespaces = 0xFFFFFFFFu;
// CDW10 bits 11:0 are LBAF, MSET, PI, PIL and SES; the rest is reserved.
constexpr uint32_t kCdw10Defined = 0x00000FFFu;
// The write cache is real memory: the same bound as the cache_blocks property's.
constexpr uint64_t kMaxCacheBytes = uint64_t{1} << 30;

// The namespaces the command formats: the one NSID names, or all with FFFFFFFFh.
std::vector<Namespace *> targets(DeviceState &s, uint32_t nsid) {
    std::vector<Namespace *> out;
    for (auto &ns : s.namespaces)
        if (nsid == kAllNamespaces || ns->nsid() == nsid) out.push_back(ns.get());
    return out;
}

spec::Status invalid_format(CommandContext &ctx, std::string field, uint64_t value,
                            std::string rule) {
    return ctx.fail(spec::command_specific(spec::CommandSpecificStatus::InvalidFormat, true),
                    std::move(field), value, std::move(rule), kSection,
                    spec::param_error_location(40, 0));
}

// Whether a namespace can take the format the command asks for.
spec::Status check_target(const DeviceState &s, CommandContext &ctx, const Namespace &ns,
                          const spec::FormatNvmFields &f) {
    if (!ns.can_format())
        return invalid_field(ctx, "NSID", ns.nsid(),
                             fmt::format("namespace {} is a {} namespace, which Format NVM cannot "
                                         "change",
                                         ns.nsid(), namespace_type_name(ns.type())),
                             kSection, spec::param_error_location(4, 0));
    if (f.lbaf >= ns.lba_formats().size())
        return invalid_format(ctx, "CDW10.LBAF", f.lbaf,
                              fmt::format("namespace {} lists LBA formats 0..{} (NLBAF = {})",
                                          ns.nsid(), ns.lba_formats().size() - 1,
                                          ns.lba_formats().size() - 1));
    const LbaFormatInfo &format = ns.lba_formats()[f.lbaf];
    // The 8-byte protection tuple lives in the metadata (§8.3).
    if (f.pi != 0 && format.metadata_size < 8)
        return invalid_format(
            ctx, "CDW10.PI", f.pi,
            fmt::format("PI type {} needs at least 8 bytes of metadata, LBA format {} has {}", f.pi,
                        f.lbaf, format.metadata_size));
    if (uint64_t{s.config.cache_blocks} * format.data_size > kMaxCacheBytes)
        return invalid_format(ctx, "CDW10.LBAF", f.lbaf,
                              fmt::format("the write cache of {} blocks of {} bytes would exceed "
                                          "1 GiB",
                                          s.config.cache_blocks, format.data_size));
    return spec::success();
}

spec::Status prepare(DeviceState &s, CommandContext &ctx) {
    const spec::Sqe &q = ctx.sqe;
    if (auto st = check_reserved(ctx, "CDW10", q.cdw10, kCdw10Defined, kSection, 10); !st.ok())
        return st;
    if (auto st = check_reserved_dwords(ctx, 11, 15, kSection); !st.ok()) return st;
    // NSID: an active namespace, or FFFFFFFFh for every namespace (§5.23).
    if (q.nsid != kAllNamespaces && s.find_namespace(q.nsid) == nullptr)
        return ctx.fail(spec::generic(GenericStatus::InvalidNamespaceOrFormat, true), "NSID",
                        q.nsid,
                        fmt::format("names no active namespace (1..{}, or FFFFFFFFh for all)",
                                    s.namespaces.size()),
                        kSection, spec::param_error_location(4, 0));
    const auto f = spec::FormatNvmFields::decode(q);
    if (f.pi > 3)
        return invalid_field(ctx, "CDW10.PI", f.pi,
                             "protection information types are 0 (none), 1, 2 and 3", kSection,
                             spec::param_error_location(40, 5));
    if (f.ses == 2)
        return invalid_field(ctx, "CDW10.SES", f.ses,
                             "cryptographic erase is not supported (Identify FNA bit 2 = 0)",
                             kSection, spec::param_error_location(41, 1));
    if (f.ses > 2)
        return invalid_field(ctx, "CDW10.SES", f.ses,
                             "secure erase settings are 0 (none), 1 (user data) or 2 "
                             "(cryptographic); the rest are reserved",
                             kSection, spec::param_error_location(41, 1));
    for (const Namespace *ns : targets(s, q.nsid))
        if (auto st = check_target(s, ctx, *ns, f); !st.ok()) return st;
    return spec::success();
}

spec::Status execute(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::FormatNvmFields::decode(ctx.sqe);
    const Namespace::FormatRequest request{
        .lbaf = f.lbaf,
        .extended_lba = f.mset,
        // DPS: the type, and bit 3 (PI first in the metadata) only with a type.
        .dps = static_cast<uint8_t>(f.pi | (f.pi != 0 && f.pil ? 0x8 : 0))};
    uint64_t erased = 0;
    for (Namespace *ns : targets(s, ctx.sqe.nsid)) {
        const uint64_t blocks = ns->nsze();
        if (!ns->format(s.store, request)) {
            ++s.health.media_errors;
            const std::string why = s.store.failure();
            return ctx.fail(spec::media(spec::MediaStatus::WriteFault), "NSID", ns->nsid(),
                            "the namespace could not be erased on the backing store" +
                                (why.empty() ? std::string() : ": " + why),
                            kSection);
        }
        erased += blocks;
    }
    // The format in use outlives a power cycle: it is part of the persistent state, saved now
    // as a saved feature would be.
    if (!s.save_persistent_state())
        return ctx.fail(spec::generic(GenericStatus::InternalError), "persistent state", 0,
                        "the namespace was formatted but the new format could not be saved: it "
                        "may be lost at the next power cycle",
                        kSection);
    ctx.event_len = erased;
    ctx.execute_ns = 1'000'000; // a format takes a while: 1 ms of virtual time
    return spec::success();
}

} // namespace

// Effects (§5.14.1.5): the blocks' content and the namespace's format change; it must run alone
// on its namespace (CSE 001b).
const CommandHandler kFormatNvm{"Format NVM", prepare,
                                execute,      NsidRule::HandlerChecks,
                                kSection,     CommandEffects{.lbcc = true, .ncc = true, .cse = 1}};

} // namespace nvmelab::commands
