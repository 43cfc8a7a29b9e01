// Controller registers (NVMe 1.3 §3.1) as text, decoded text and JSON.
#include <fmt/format.h>

#include "cli/output.h"

namespace nvmelab::cli {

Json regs_json(const RegisterSnapshot &r) {
    Json j = Json::object();
    j["cap"] = r.cap;
    j["vs"] = r.vs;
    j["intms"] = r.intms;
    j["intmc"] = r.intmc;
    j["cc"] = r.cc;
    j["csts"] = r.csts;
    j["nssr"] = r.nssr;
    j["aqa"] = r.aqa;
    j["asq"] = r.asq;
    j["acq"] = r.acq;
    j["cmbloc"] = r.cmbloc;
    j["cmbsz"] = r.cmbsz;
    j["bpinfo"] = r.bpinfo;
    j["bprsel"] = r.bprsel;
    j["bpmbl"] = r.bpmbl;
    return j;
}

namespace {

std::string decode_cap(spec::CapReg cap) {
    Table t;
    t.add("  MQES  Maximum Queue Entries Supported",
          fmt::format("{} (0's based: {} entries)", cap.mqes(), cap.mqes() + 1u));
    t.add("  CQR   Contiguous Queues Required", cap.cqr() ? "yes" : "no");
    t.add("  AMS   Arbitration Mechanisms Supported",
          fmt::format("{:#x} (round robin{})", cap.ams(),
                      (cap.ams() & 1) != 0 ? ", weighted round robin with urgent" : ""));
    t.add("  TO    Timeout", fmt::format("{} ({} ms)", cap.to(), cap.to() * 500u));
    t.add("  DSTRD Doorbell Stride", fmt::format("{} ({} bytes)", cap.dstrd(), 4u << cap.dstrd()));
    t.add("  NSSRS NVM Subsystem Reset Supported", cap.nssrs() ? "yes" : "no");
    t.add("  CSS   Command Sets Supported",
          fmt::format("{:#x}{}", cap.css(), (cap.css() & 1) != 0 ? " (NVM command set)" : ""));
    t.add("  BPS   Boot Partition Support", cap.bps() ? "yes" : "no");
    t.add("  MPSMIN Memory Page Size Minimum",
          fmt::format("{} ({} bytes)", cap.mpsmin(), 4096u << cap.mpsmin()));
    t.add("  MPSMAX Memory Page Size Maximum",
          fmt::format("{} ({} bytes)", cap.mpsmax(), 4096u << cap.mpsmax()));
    return t.str();
}

std::string decode_cc(spec::CcReg cc) {
    static const char *const shn[] = {"no notification", "normal shutdown", "abrupt shutdown",
                                      "reserved"};
    Table t;
    t.add("  EN     Enable", cc.en() ? "yes" : "no");
    t.add("  CSS    I/O Command Set Selected",
          fmt::format("{}{}", cc.css(), cc.css() == 0 ? " (NVM command set)" : ""));
    t.add("  MPS    Memory Page Size", fmt::format("{} ({} bytes)", cc.mps(), 4096u << cc.mps()));
    t.add("  AMS    Arbitration Mechanism Selected",
          fmt::format("{} ({})", cc.ams(),
                      cc.ams() == 0   ? "round robin"
                      : cc.ams() == 1 ? "weighted round robin with urgent"
                                      : "other"));
    t.add("  SHN    Shutdown Notification", fmt::format("{} ({})", cc.shn(), shn[cc.shn() & 3]));
    t.add("  IOSQES I/O SQ Entry Size",
          fmt::format("{} ({} bytes)", cc.iosqes(), 1u << cc.iosqes()));
    t.add("  IOCQES I/O CQ Entry Size",
          fmt::format("{} ({} bytes)", cc.iocqes(), 1u << cc.iocqes()));
    return t.str();
}

std::string decode_csts(spec::CstsReg csts) {
    static const char *const shst[] = {"normal operation", "shutdown processing",
                                       "shutdown complete", "reserved"};
    Table t;
    t.add("  RDY   Ready", csts.rdy() ? "yes" : "no");
    t.add("  CFS   Controller Fatal Status", csts.cfs() ? "yes" : "no");
    t.add("  SHST  Shutdown Status", fmt::format("{} ({})", csts.shst(), shst[csts.shst() & 3]));
    t.add("  NSSRO NVM Subsystem Reset Occurred", csts.nssro() ? "yes" : "no");
    t.add("  PP    Processing Paused", csts.pp() ? "yes" : "no");
    return t.str();
}

std::string decode_aqa(spec::AqaReg aqa) {
    Table t;
    t.add("  ASQS Admin Submission Queue Size",
          fmt::format("{} (0's based: {} entries)", aqa.asqs(), aqa.asqs() + 1u));
    t.add("  ACQS Admin Completion Queue Size",
          fmt::format("{} (0's based: {} entries)", aqa.acqs(), aqa.acqs() + 1u));
    return t.str();
}

} // namespace

std::string regs_text(const RegisterSnapshot &r, bool human) {
    std::string out;
    auto line = [&](const char *name, uint64_t value, const std::string &decoded = {}) {
        out += fmt::format("{:<7}: {:#x}\n", name, value);
        if (human && !decoded.empty()) out += decoded;
    };
    line("cap", r.cap, decode_cap(spec::CapReg{r.cap}));
    line("version", r.vs,
         fmt::format("  NVMe specification version {}.{}.{}\n", r.vs >> 16, (r.vs >> 8) & 0xFF,
                     r.vs & 0xFF));
    line("intms", r.intms);
    line("intmc", r.intmc);
    line("cc", r.cc, decode_cc(spec::CcReg{r.cc}));
    line("csts", r.csts, decode_csts(spec::CstsReg{r.csts}));
    line("nssr", r.nssr);
    line("aqa", r.aqa, decode_aqa(spec::AqaReg{r.aqa}));
    line("asq", r.asq, fmt::format("  Admin Submission Queue Base Address {:#x}\n", r.asq));
    line("acq", r.acq, fmt::format("  Admin Completion Queue Base Address {:#x}\n", r.acq));
    line("cmbloc", r.cmbloc);
    line("cmbsz", r.cmbsz, r.cmbsz == 0 ? "  Controller Memory Buffer not supported\n" : "");
    line("bpinfo", r.bpinfo, r.bpinfo == 0 ? "  Boot Partitions not supported\n" : "");
    line("bprsel", r.bprsel);
    line("bpmbl", r.bpmbl);
    return out;
}

} // namespace nvmelab::cli
