// Identify Controller and Identify Namespace data (NVMe 1.3 §5.15) as text and JSON.
#include <fmt/format.h>

#include "cli/output.h"

namespace nvmelab::cli {

namespace {

std::string hex(uint64_t v) {
    return fmt::format("{:#x}", v);
}
std::string dec(uint64_t v) {
    return fmt::format("{}", v);
}

uint32_t ieee_oui(const spec::IdentifyController &id) {
    return (uint32_t{id.ieee[2]} << 16) | (uint32_t{id.ieee[1]} << 8) | id.ieee[0];
}

// Max power in watts: MP is in centiwatts, or in 0.0001 W units when MXPS is set.
std::string watts(uint16_t value, bool fine_scale) {
    return fmt::format("{:.4f}W", fine_scale ? value / 10000.0 : value / 100.0);
}

std::string power_scale(uint8_t scale_bits) {
    switch (scale_bits) {
    case 1:
        return "0.0001W";
    case 2:
        return "0.01W";
    default:
        return "-";
    }
}

} // namespace

Json id_ctrl_json(const spec::IdentifyController &id) {
    Json j = Json::object();
    j["vid"] = id.vid;
    j["ssvid"] = id.ssvid;
    j["sn"] = trim_field(id.sn, sizeof id.sn);
    j["mn"] = trim_field(id.mn, sizeof id.mn);
    j["fr"] = trim_field(id.fr, sizeof id.fr);
    j["rab"] = id.rab;
    j["ieee"] = ieee_oui(id);
    j["cmic"] = id.cmic;
    j["mdts"] = id.mdts;
    j["cntlid"] = id.cntlid;
    j["ver"] = id.ver;
    j["rtd3r"] = id.rtd3r;
    j["rtd3e"] = id.rtd3e;
    j["oaes"] = id.oaes;
    j["ctratt"] = id.ctratt;
    j["oacs"] = id.oacs;
    j["acl"] = id.acl;
    j["aerl"] = id.aerl;
    j["frmw"] = id.frmw;
    j["lpa"] = id.lpa;
    j["elpe"] = id.elpe;
    j["npss"] = id.npss;
    j["avscc"] = id.avscc;
    j["apsta"] = id.apsta;
    j["wctemp"] = id.wctemp;
    j["cctemp"] = id.cctemp;
    j["mtfa"] = id.mtfa;
    j["hmpre"] = id.hmpre;
    j["hmmin"] = id.hmmin;
    j["tnvmcap"] = u128_json(id.tnvmcap);
    j["unvmcap"] = u128_json(id.unvmcap);
    j["rpmbs"] = id.rpmbs;
    j["edstt"] = id.edstt;
    j["dsto"] = id.dsto;
    j["fwug"] = id.fwug;
    j["kas"] = id.kas;
    j["hctma"] = id.hctma;
    j["mntmt"] = id.mntmt;
    j["mxtmt"] = id.mxtmt;
    j["sanicap"] = id.sanicap;
    j["sqes"] = id.sqes;
    j["cqes"] = id.cqes;
    j["maxcmd"] = id.maxcmd;
    j["nn"] = id.nn;
    j["oncs"] = id.oncs;
    j["fuses"] = id.fuses;
    j["fna"] = id.fna;
    j["vwc"] = id.vwc;
    j["awun"] = id.awun;
    j["awupf"] = id.awupf;
    j["nvscc"] = id.nvscc;
    j["acwu"] = id.acwu;
    j["sgls"] = id.sgls;
    j["subnqn"] = trim_field(id.subnqn, sizeof id.subnqn);
    Json psds = Json::array();
    for (unsigned i = 0; i <= id.npss && i < 32; ++i) {
        const spec::PowerStateDescriptor &ps = id.psd[i];
        Json p = Json::object();
        p["max_power"] = ps.mp;
        p["flags"] = ps.flags;
        p["entry_lat"] = ps.enlat;
        p["exit_lat"] = ps.exlat;
        p["read_tput"] = ps.rrt;
        p["read_lat"] = ps.rrl;
        p["write_tput"] = ps.rwt;
        p["write_lat"] = ps.rwl;
        p["idle_power"] = ps.idlp;
        p["idle_scale"] = ps.ips >> 6;
        p["active_power"] = ps.actp;
        p["active_work"] = ps.apw_aps;
        psds.push_back(std::move(p));
    }
    j["psds"] = std::move(psds);
    return j;
}

std::string id_ctrl_text(const spec::IdentifyController &id) {
    Table t;
    t.add("vid", hex(id.vid));
    t.add("ssvid", hex(id.ssvid));
    t.add("sn", trim_field(id.sn, sizeof id.sn));
    t.add("mn", trim_field(id.mn, sizeof id.mn));
    t.add("fr", trim_field(id.fr, sizeof id.fr));
    t.add("rab", dec(id.rab));
    t.add("ieee", fmt::format("{:06x}", ieee_oui(id)));
    t.add("cmic", hex(id.cmic));
    t.add("mdts", dec(id.mdts));
    t.add("cntlid", hex(id.cntlid));
    t.add("ver", hex(id.ver));
    t.add("rtd3r", hex(id.rtd3r));
    t.add("rtd3e", hex(id.rtd3e));
    t.add("oaes", hex(id.oaes));
    t.add("ctratt", hex(id.ctratt));
    t.add("oacs", hex(id.oacs));
    t.add("acl", dec(id.acl));
    t.add("aerl", dec(id.aerl));
    t.add("frmw", hex(id.frmw));
    t.add("lpa", hex(id.lpa));
    t.add("elpe", dec(id.elpe));
    t.add("npss", dec(id.npss));
    t.add("avscc", hex(id.avscc));
    t.add("apsta", hex(id.apsta));
    t.add("wctemp", dec(id.wctemp));
    t.add("cctemp", dec(id.cctemp));
    t.add("mtfa", dec(id.mtfa));
    t.add("hmpre", dec(id.hmpre));
    t.add("hmmin", dec(id.hmmin));
    t.add("tnvmcap", u128_decimal(id.tnvmcap));
    t.add("unvmcap", u128_decimal(id.unvmcap));
    t.add("rpmbs", hex(id.rpmbs));
    t.add("edstt", dec(id.edstt));
    t.add("dsto", dec(id.dsto));
    t.add("fwug", dec(id.fwug));
    t.add("kas", dec(id.kas));
    t.add("hctma", hex(id.hctma));
    t.add("mntmt", dec(id.mntmt));
    t.add("mxtmt", dec(id.mxtmt));
    t.add("sanicap", hex(id.sanicap));
    t.add("sqes", hex(id.sqes));
    t.add("cqes", hex(id.cqes));
    t.add("maxcmd", dec(id.maxcmd));
    t.add("nn", dec(id.nn));
    t.add("oncs", hex(id.oncs));
    t.add("fuses", hex(id.fuses));
    t.add("fna", hex(id.fna));
    t.add("vwc", hex(id.vwc));
    t.add("awun", dec(id.awun));
    t.add("awupf", dec(id.awupf));
    t.add("nvscc", dec(id.nvscc));
    t.add("acwu", dec(id.acwu));
    t.add("sgls", hex(id.sgls));
    t.add("subnqn", trim_field(id.subnqn, sizeof id.subnqn));
    for (unsigned i = 0; i <= id.npss && i < 32; ++i) {
        const spec::PowerStateDescriptor &ps = id.psd[i];
        t.add(fmt::format("ps {:4}", i),
              fmt::format("mp:{} {}operational enlat:{} exlat:{} rrt:{} rrl:{} rwt:{} rwl:{} "
                          "idle_power:{} ({}) active_power:{} ({})",
                          watts(ps.mp, ps.mxps()), ps.nops() ? "non-" : "", ps.enlat, ps.exlat,
                          ps.rrt, ps.rrl, ps.rwt, ps.rwl, ps.idlp, power_scale(ps.ips >> 6),
                          ps.actp, power_scale(ps.aps())));
    }
    return "NVME Identify Controller:\n" + t.str();
}

Json id_ns_json(const spec::IdentifyNamespace &ns) {
    Json j = Json::object();
    j["nsze"] = ns.nsze;
    j["ncap"] = ns.ncap;
    j["nuse"] = ns.nuse;
    j["nsfeat"] = ns.nsfeat;
    j["nlbaf"] = ns.nlbaf;
    j["flbas"] = ns.flbas;
    j["mc"] = ns.mc;
    j["dpc"] = ns.dpc;
    j["dps"] = ns.dps;
    j["nmic"] = ns.nmic;
    j["rescap"] = ns.rescap;
    j["fpi"] = ns.fpi;
    j["dlfeat"] = ns.dlfeat;
    j["nawun"] = ns.nawun;
    j["nawupf"] = ns.nawupf;
    j["nacwu"] = ns.nacwu;
    j["nabsn"] = ns.nabsn;
    j["nabo"] = ns.nabo;
    j["nabspf"] = ns.nabspf;
    j["noiob"] = ns.noiob;
    j["nvmcap"] = u128_json(ns.nvmcap);
    j["nguid"] = hex_string(ns.nguid);
    j["eui64"] = hex_string(ns.eui64);
    Json lbafs = Json::array();
    for (unsigned i = 0; i <= ns.nlbaf && i < 16; ++i) {
        Json f = Json::object();
        f["ms"] = ns.lbaf[i].ms;
        f["ds"] = ns.lbaf[i].lbads;
        f["rp"] = ns.lbaf[i].relative_performance();
        lbafs.push_back(std::move(f));
    }
    j["lbafs"] = std::move(lbafs);
    return j;
}

std::string id_ns_text(const spec::IdentifyNamespace &ns, uint32_t nsid) {
    Table t;
    t.add("nsze", hex(ns.nsze));
    t.add("ncap", hex(ns.ncap));
    t.add("nuse", hex(ns.nuse));
    t.add("nsfeat", hex(ns.nsfeat));
    t.add("nlbaf", dec(ns.nlbaf));
    t.add("flbas", hex(ns.flbas));
    t.add("mc", hex(ns.mc));
    t.add("dpc", hex(ns.dpc));
    t.add("dps", hex(ns.dps));
    t.add("nmic", hex(ns.nmic));
    t.add("rescap", hex(ns.rescap));
    t.add("fpi", hex(ns.fpi));
    t.add("dlfeat", dec(ns.dlfeat));
    t.add("nawun", dec(ns.nawun));
    t.add("nawupf", dec(ns.nawupf));
    t.add("nacwu", dec(ns.nacwu));
    t.add("nabsn", dec(ns.nabsn));
    t.add("nabo", dec(ns.nabo));
    t.add("nabspf", dec(ns.nabspf));
    t.add("noiob", dec(ns.noiob));
    t.add("nvmcap", u128_decimal(ns.nvmcap));
    t.add("nguid", hex_string(ns.nguid));
    t.add("eui64", hex_string(ns.eui64));
    for (unsigned i = 0; i <= ns.nlbaf && i < 16; ++i) {
        const spec::LbaFormat &f = ns.lbaf[i];
        t.add(fmt::format("lbaf {:2}", i),
              fmt::format("ms:{:<3} lbads:{:<2} rp:{:#x}{}", f.ms, f.lbads,
                          f.relative_performance(), i == ns.flbas_index() ? " (in use)" : ""));
    }
    return fmt::format("NVME Identify Namespace {}:\n", nsid) + t.str();
}

} // namespace nvmelab::cli
