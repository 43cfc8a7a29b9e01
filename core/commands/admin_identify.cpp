// Identify (NVMe 1.3 §5.15): controller, namespace, active namespace list and namespace
// identification descriptors. Every capability field advertises exactly what this controller
// implements.
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "core/commands/handlers.h"

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

// The company identifier the EUI-64 starts with and Identify Controller IEEE reports: an IEEE
// CID, whose first octet has the local bit set and the group bit clear (02h), as an emulator
// with no registered OUI may use (QEMU uses 52-54-00 the same way).
constexpr std::array<uint8_t, 3> kCompanyId = {0x02, 0x6E, 0x76}; // 02-6E-76, "nv"

void fill_identifiers(const DeviceState &s, uint8_t (&nguid)[16], uint8_t (&eui64)[8]) {
    const uint64_t a = identity_hash(s.config.serial, 1);
    const uint64_t b = identity_hash(s.config.serial, 2);
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
    if (f.cntid != 0 && f.cns <= static_cast<uint8_t>(Cns::NamespaceIdDescriptorList))
        return invalid_field(ctx, "CDW10.CNTID", f.cntid,
                             "this CNS value uses no controller identifier: CNTID must be 0",
                             kSection, spec::param_error_location(42, 0));
    switch (static_cast<Cns>(f.cns)) {
    case Cns::Namespace:
    case Cns::NamespaceIdDescriptorList:
        if (nsid == kBroadcastNsid)
            return invalid_namespace(ctx, nsid,
                                     "FFFFFFFFh needs Namespace Management, which OACS does not "
                                     "advertise");
        if (s.find_namespace(nsid) == nullptr)
            return invalid_namespace(
                ctx, nsid,
                fmt::format("valid namespace IDs are 1..{} (Identify NN)", s.namespaces.size()));
        break;
    case Cns::Controller:
        break; // NSID is not used
    case Cns::ActiveNamespaceList:
        if (nsid >= 0xFFFFFFFEu)
            return invalid_namespace(ctx, nsid,
                                     "the list starts after NSID, which must be below "
                                     "FFFFFFFEh");
        break;
    default:
        return invalid_field(ctx, "CDW10.CNS", f.cns,
                             "CNS values 00h-03h are supported; 10h-15h need Namespace Management "
                             "or Virtualization, which OACS does not advertise",
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
    id.cntlid = 0;
    id.ver = s.vs;
    id.oacs = 0;                                    // no optional admin commands
    id.acl = DeviceState::kMaxConcurrentAborts - 1; // Abort Command Limit, 0's based
    id.aerl = DeviceState::kMaxOutstandingAers - 1; // Async Event Request Limit, 0's based
    id.frmw = 0x03;                                 // one firmware slot, read-only
    // Commands Supported and Effects log (bit 1), extended data for Get Log Page (bit 2:
    // NUMDU, LPOL/LPOU).
    id.lpa = 0x06;
    id.elpe = DeviceState::kErrorLogEntries - 1;
    id.npss = DeviceState::kNumberOfPowerStates - 1;
    id.wctemp = DeviceState::kWarningTemperatureK;
    id.cctemp = DeviceState::kCriticalTemperatureK;
    id.sqes = 0x66; // 64-byte SQ entries required and maximum
    id.cqes = 0x44; // 16-byte CQ entries
    id.nn = static_cast<uint32_t>(s.namespaces.size());
    id.oncs = 0x10; // Save field in Set Features, Select field in Get Features
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
    fill_identifiers(s, id.nguid, id.eui64);
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
    case Cns::Namespace: {
        spec::IdentifyNamespace id{};
        identify_namespace(s, *s.find_namespace(ctx.sqe.nsid), id);
        std::memcpy(ctx.buffer.data(), &id, sizeof id);
        break;
    }
    case Cns::ActiveNamespaceList: {
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
        uint8_t nguid[16];
        uint8_t eui64[8];
        fill_identifiers(s, nguid, eui64);
        size_t pos = 0;
        auto put = [&](spec::NidType type, const uint8_t *data) {
            spec::NsIdDescriptorHeader h{static_cast<uint8_t>(type), spec::nid_length(type), {}};
            std::memcpy(ctx.buffer.data() + pos, &h, sizeof h);
            std::memcpy(ctx.buffer.data() + pos + sizeof h, data, h.nidl);
            pos += sizeof h + h.nidl;
        };
        put(spec::NidType::Eui64, eui64);
        put(spec::NidType::Nguid, nguid);
        break;
    }
    default:
        break;
    }
    return spec::success();
}

} // namespace

const CommandHandler kIdentify{"Identify", prepare, execute};

} // namespace nvmelab::commands
