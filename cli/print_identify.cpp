// Identify Controller and Identify Namespace data (NVMe 1.3 §5.15) as text and JSON.
#include <fmt/format.h>

#include "cli/output.h"
#include "core/spec/field_decode.h"

namespace nvmelab::cli {

namespace {

uint32_t ieee_oui(const spec::IdentifyController &id) {
    return (uint32_t{id.ieee[2]} << 16) | (uint32_t{id.ieee[1]} << 8) | id.ieee[0];
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
    for (spec::DecodedField &f : spec::identify_controller_fields(id))
        t.add(std::move(f.name), std::move(f.value));
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
    for (spec::DecodedField &f : spec::identify_namespace_fields(ns))
        t.add(std::move(f.name), std::move(f.value));
    return fmt::format("NVME Identify Namespace {}:\n", nsid) + t.str();
}

} // namespace nvmelab::cli
