// Identify (NVMe 1.3 §5.15): every CNS value 1.3 defines for a controller without
// virtualization: controller, namespace (active 00h, allocated 11h), active and allocated
// namespace lists (02h, 10h), namespace identification descriptors (03h) and controller lists
// (12h, 13h). Every capability field advertises exactly what this controller implements.
#include <array>
#include <cstring>
#include <span>

#include <fmt/format.h>

#include "core/commands/handlers.h"
#include "core/commands/identity.h"

namespace nvmelab::commands {

using spec::Cns;

namespace {
constexpr const char *kSection = "NVMe 1.3 §5.15";
constexpr uint32_t kBroadcastNsid = 0xFFFFFFFFu;

// Stable 64-bit identifier derived from the serial number, so NGUID/EUI-64 stay the same for a
// device across power cycles and differ between devices (FNV-1a).
uint64_t identity_hash(const std::string &serial, uint64_t salt) {
    uint64_t h = 0xcbf29ce484222325ull ^ salt;
    for (unsigned char c : serial) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

// The one controller of this NVM subsystem (Identify Controller CNTLID).
constexpr uint16_t kControllerId = 0;

// A namespace's identifiers (§5.15, Figure 116): from the serial number and the NSID, so each
// namespace of the subsystem has its own and they stay the same across power cycles. NSID 1's
// salts are the ones the device has always used, so existing namespaces keep their identity.
struct NamespaceIds {
    uint8_t nguid[16];
    uint8_t eui64[8];
    uint8_t uuid[16];
};
NamespaceIds namespace_ids(const DeviceState &s, uint32_t nsid) {
    NamespaceIds ids{};
    const uint64_t ns_salt = uint64_t{nsid - 1} << 32;
    const uint64_t a = identity_hash(s.config.serial, ns_salt | 1);
    const uint64_t b = identity_hash(s.config.serial, ns_salt | 2);
    const uint64_t c = identity_hash(s.config.serial, ns_salt | 3);
    auto &eui64 = ids.eui64;
    auto &nguid = ids.nguid;
    // EUI-64: the company identifier, then a 40-bit extension from the serial (§5.15,
    // Identify Namespace EUI64). The NGUID carries a vendor specific extension and that EUI-64.
    for (int i = 0; i < 3; ++i)
        eui64[i] = kCompanyId[static_cast<size_t>(i)];
    for (int i = 3; i < 8; ++i)
        eui64[i] = static_cast<uint8_t>(b >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) {
        nguid[i] = static_cast<uint8_t>(a >> (56 - 8 * i));
        nguid[8 + i] = eui64[i];
    }
    // UUID (RFC 9562): 128 bits from the same hashes, version 8 (vendor defined), variant 10b.
    for (int i = 0; i < 8; ++i) {
        ids.uuid[i] = static_cast<uint8_t>(c >> (56 - 8 * i));
        ids.uuid[8 + i] = static_cast<uint8_t>((a ^ b) >> (56 - 8 * i));
    }
    ids.uuid[6] = static_cast<uint8_t>(0x80 | (ids.uuid[6] & 0x0F));
    ids.uuid[8] = static_cast<uint8_t>(0x80 | (ids.uuid[8] & 0x3F));
    return ids;
}

// A controller list (§5.15, Figure 112): a count, then up to 2047 ascending controller IDs.
// This subsystem has one controller, and every namespace is attached to it.
void controller_list(std::span<uint8_t> out, uint16_t from_cntid) {
    if (kControllerId < from_cntid) return; // none at or above CNTID: count 0
    const uint16_t count = 1;
    std::memcpy(out.data(), &count, 2);
    std::memcpy(out.data() + 2, &kControllerId, 2);
}

spec::Status invalid_namespace(CommandContext &ctx, uint32_t nsid, std::string rule) {
    return ctx.fail(spec::generic(spec::GenericStatus::InvalidNamespaceOrFormat, true), "NSID",
                    nsid, std::move(rule), kSection, spec::param_error_location(4, 0));
}

spec::Status prepare(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::IdentifyFields::decode(ctx.sqe);
    const uint32_t nsid = ctx.sqe.nsid;
    if (auto st = check_reserved(ctx, "CDW10", ctx.sqe.cdw10, 0xFFFF00FFu, kSection, 10); !st.ok())
        return st; // bits 15:8
    // CNTID (bits 31:16) is only used by CNS 12h/13h; for the others host software clears it
    // (§5.15).
    const bool uses_cntid = f.cns == static_cast<uint8_t>(Cns::NamespaceAttachedControllers) ||
                            f.cns == static_cast<uint8_t>(Cns::AllControllers);
    if (f.cntid != 0 && !uses_cntid)
        return invalid_field(ctx, "CDW10.CNTID", f.cntid,
                             "this CNS value uses no controller identifier: CNTID must be 0",
                             kSection, spec::param_error_location(42, 0));
    switch (static_cast<Cns>(f.cns)) {
    case Cns::Namespace:
    case Cns::NamespaceIdDescriptorList:
    case Cns::AllocatedNamespace:
    case Cns::NamespaceAttachedControllers:
        if (nsid == kBroadcastNsid)
            return invalid_namespace(ctx, nsid,
                                     "FFFFFFFFh needs Namespace Management, which OACS does not "
                                     "advertise");
        // Every valid NSID (1..NN) is allocated and attached to this controller: there is no
        // Namespace Management to leave one unallocated or detached.
        if (s.find_namespace(nsid) == nullptr)
            return invalid_namespace(
                ctx, nsid,
                fmt::format("valid namespace IDs are 1..{} (Identify NN)", s.namespaces.size()));
        break;
    case Cns::Controller:
    case Cns::AllControllers:
        break; // NSID is not used
    case Cns::ActiveNamespaceList:
    case Cns::AllocatedNamespaceList:
        if (nsid >= 0xFFFFFFFEu)
            return invalid_namespace(ctx, nsid,
                                     "the list starts after NSID, which must be below "
                                     "FFFFFFFEh");
        break;
    default:
        return invalid_field(ctx, "CDW10.CNS", f.cns,
                             "CNS values 00h-03h and 10h-13h are supported; 14h and 15h need "
                             "Virtualization Management, which OACS does not advertise; the "
                             "others are reserved",
                             kSection, spec::param_error_location(40, 0));
    }
    set_data_out(ctx, 4096);
    return spec::success();
}

void identify_controller(const DeviceState &s, spec::IdentifyController &id) {
    const auto &c = s.config;
    id.vid = c.vid;
    id.ssvid = c.vid;
    spec::put_ascii(id.sn, sizeof id.sn, c.serial);
    spec::put_ascii(id.mn, sizeof id.mn, c.model);
    spec::put_ascii(id.fr, sizeof id.fr, c.firmware);
    id.rab = 3; // recommended arbitration burst 2^3
    // IEEE OUI Identifier, least significant byte first (§5.15, bytes 75:73).
    id.ieee[0] = kCompanyId[2];
    id.ieee[1] = kCompanyId[1];
    id.ieee[2] = kCompanyId[0];
    id.cmic = 0;
    id.mdts = c.mdts;
    id.cntlid = kControllerId;
    id.ver = s.vs;
    // OACS bit 1: Format NVM. FNA = 0: a format or erase applies to the namespace NSID names
    // (FFFFFFFFh: all), and cryptographic erase is not offered (admin_format.cpp).
    id.oacs = 0x0002;
    id.fna = 0;
    id.acl = DeviceState::kMaxConcurrentAborts - 1; // Abort Command Limit, 0's based
    id.aerl = DeviceState::kMaxOutstandingAers - 1; // Async Event Request Limit, 0's based
    id.frmw = 0x03;                                 // one firmware slot, read-only
    // LPA: SMART / Health per namespace (bit 0), Commands Supported and Effects log (bit 1),
    // extended data for Get Log Page (bit 2: NUMDU, LPOL/LPOU), Telemetry logs (bit 3).
    id.lpa = 0x0F;
    id.elpe = DeviceState::kErrorLogEntries - 1;
    id.npss = DeviceState::kNumberOfPowerStates - 1;
    id.kas = DeviceState::kKeepAliveGranularity; // Keep Alive, KATO in 100 ms steps
    // Host Controlled Thermal Management (feature 10h) with its temperature limits.
    id.hctma = 1;
    id.mntmt = DeviceState::kMinThermalMgmtTemperatureK;
    id.mxtmt = DeviceState::kMaxThermalMgmtTemperatureK;
    id.wctemp = DeviceState::kWarningTemperatureK;
    id.cctemp = DeviceState::kCriticalTemperatureK;
    id.sqes = 0x66; // 64-byte SQ entries required and maximum
    id.cqes = 0x44; // 16-byte CQ entries
    id.nn = static_cast<uint32_t>(s.namespaces.size());
    // ONCS bit 4: Save field in Set Features, Select field in Get Features; bit 6: Timestamp.
    id.oncs = 0x50;
    // ONCS bit 2: Dataset Management, which an OCSSD namespace takes as a scalar chunk reset
    // (OC §1, as QEMU's OCSSD device).
    for (const auto &ns : s.namespaces)
        if (ns->type() == NamespaceType::Ocssd) id.oncs |= 0x04;
    id.fuses = 0;
    id.vwc = c.vwc ? 1 : 0;
    id.sgls = kSgls; // what SglWalker supports (sgl_walker.h says why each bit)
    const std::string nqn = "nqn.2026-11.io.nvmelab:" + c.serial;
    std::memcpy(id.subnqn, nqn.data(), std::min(nqn.size(), sizeof id.subnqn - 1));
    // Three power states: full, reduced, and a low one with entry/exit latency.
    const uint16_t watts[] = {900, 600, 300}; // centiwatts
    for (uint8_t ps = 0; ps < DeviceState::kNumberOfPowerStates; ++ps) {
        auto &d = id.psd[ps];
        d.mp = watts[ps];
        d.enlat = ps == 0 ? 0 : 100u * ps;
        d.exlat = ps == 0 ? 0 : 100u * ps;
        d.rrt = d.rrl = d.rwt = d.rwl = ps;
    }
}

void identify_namespace(const DeviceState &s, const Namespace &ns, spec::IdentifyNamespace &id) {
    ns.identify(id);
    const NamespaceIds ids = namespace_ids(s, ns.nsid());
    std::memcpy(id.nguid, ids.nguid, sizeof id.nguid);
    std::memcpy(id.eui64, ids.eui64, sizeof id.eui64);
}

spec::Status execute(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::IdentifyFields::decode(ctx.sqe);
    std::fill(ctx.buffer.begin(), ctx.buffer.end(), uint8_t{0});
    ctx.execute_ns = 1'000;
    switch (static_cast<Cns>(f.cns)) {
    case Cns::Controller: {
        spec::IdentifyController id{};
        identify_controller(s, id);
        std::memcpy(ctx.buffer.data(), &id, sizeof id);
        break;
    }
    case Cns::Namespace:
    case Cns::AllocatedNamespace: { // every allocated namespace is active (no NS Management)
        spec::IdentifyNamespace id{};
        identify_namespace(s, *s.find_namespace(ctx.sqe.nsid), id);
        std::memcpy(ctx.buffer.data(), &id, sizeof id);
        break;
    }
    case Cns::ActiveNamespaceList:
    case Cns::AllocatedNamespaceList: { // the same set: every allocated namespace is attached
        // Up to 1024 active NSIDs greater than CDW1.NSID, ascending (§5.15, Figure 109).
        size_t out = 0;
        for (const auto &ns : s.namespaces) {
            if (ns->nsid() <= ctx.sqe.nsid || out == 1024) continue;
            const uint32_t v = ns->nsid();
            std::memcpy(ctx.buffer.data() + out * 4, &v, 4);
            ++out;
        }
        break;
    }
    case Cns::NamespaceIdDescriptorList: {
        const NamespaceIds ids = namespace_ids(s, ctx.sqe.nsid);
        size_t pos = 0;
        auto put = [&](spec::NidType type, const uint8_t *data) {
            spec::NsIdDescriptorHeader h{static_cast<uint8_t>(type), spec::nid_length(type), {}};
            std::memcpy(ctx.buffer.data() + pos, &h, sizeof h);
            std::memcpy(ctx.buffer.data() + pos + sizeof h, data, h.nidl);
            pos += sizeof h + h.nidl;
        };
        put(spec::NidType::Eui64, ids.eui64);
        put(spec::NidType::Nguid, ids.nguid);
        put(spec::NidType::Uuid, ids.uuid);
        break;
    }
    case Cns::NamespaceAttachedControllers:
    case Cns::AllControllers:
        controller_list(ctx.buffer, f.cntid);
        break;
    default:
        break;
    }
    return spec::success();
}

} // namespace

const CommandHandler kIdentify{"Identify", prepare, execute};

} // namespace nvmelab::commands
