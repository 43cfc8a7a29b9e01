// admin-passthru / io-passthru: send any command, dword by dword, like nvme-cli's passthru.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/session.h"
#include "cli/status_report.h"
#include "core/spec/status_text.h"

namespace nvmelab::cli {

namespace {

constexpr uint32_t kMaxDataLen = 16u << 20;

struct PassthruOptions {
    CommonOptions common;
    bool io = false;
    uint32_t opcode = 0;
    uint32_t flags = 0;
    uint32_t nsid = 0;
    uint32_t cdw[16] = {}; // only 2, 3 and 10..15 are settable
    uint32_t data_len = 0;
    bool read = false;
    bool write = false;
    std::string input_file;
    bool raw_binary = false;
    bool show_command = false;
    bool dry_run = false;
    std::optional<uint64_t> prp1;
    std::optional<uint64_t> prp2;
};

std::string describe_sqe(const spec::Sqe &sqe, bool io) {
    const std::string_view name =
        io ? spec::nvm_opcode_name(sqe.opc) : spec::admin_opcode_name(sqe.opc);
    Table t;
    t.add("opcode", fmt::format("{:#04x}{}", sqe.opc,
                                name.empty() ? std::string() : fmt::format(" ({})", name)));
    t.add("flags", fmt::format("{:#04x}", sqe.flags));
    t.add("nsid", fmt::format("{:#x}", sqe.nsid));
    t.add("cdw2", fmt::format("{:#010x}", sqe.cdw2));
    t.add("cdw3", fmt::format("{:#010x}", sqe.cdw3));
    t.add("prp1", fmt::format("{:#x}", sqe.prp1));
    t.add("prp2", fmt::format("{:#x}", sqe.prp2));
    for (int i = 10; i <= 15; ++i)
        t.add(fmt::format("cdw{}", i), fmt::format("{:#010x}", sqe.cdw(i)));
    return t.str();
}

int run_passthru(const PassthruOptions &o) {
    if (o.read && o.write)
        throw std::runtime_error("choose one data direction: --read or --write, not both");
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(o.opcode);
    sqe.flags = static_cast<uint8_t>(o.flags);
    sqe.nsid = o.nsid;
    sqe.cdw2 = o.cdw[2];
    sqe.cdw3 = o.cdw[3];
    for (int i = 10; i <= 15; ++i)
        sqe.set_cdw(i, o.cdw[i]);
    if (o.prp1) sqe.prp1 = *o.prp1;
    if (o.prp2) sqe.prp2 = *o.prp2;

    // Direction: the flags, else the opcode's data-transfer bits (§4.2: 01b write, 10b read).
    const auto dir = spec::opcode_direction(sqe.opc);
    const bool to_device = o.write || (!o.read && dir == spec::DataDirection::HostToController);
    const bool from_device = o.read || (!o.write && dir == spec::DataDirection::ControllerToHost);
    const bool raw_prps = o.prp1.has_value() || o.prp2.has_value();

    std::vector<uint8_t> out_data;
    if (to_device && o.data_len > 0) {
        out_data.assign(o.data_len, 0);
        if (!o.input_file.empty()) {
            std::FILE *f = o.input_file == "-" ? stdin : std::fopen(o.input_file.c_str(), "rb");
            if (f == nullptr)
                throw std::runtime_error(fmt::format("cannot open input file '{}': {}",
                                                     o.input_file, std::strerror(errno)));
            const size_t n = std::fread(out_data.data(), 1, out_data.size(), f);
            (void)n; // a short file leaves zeros at the end
            if (f != stdin) std::fclose(f);
        }
    }

    if (o.show_command || o.dry_run) {
        std::printf("%s", describe_sqe(sqe, o.io).c_str());
        if (!raw_prps && o.data_len > 0)
            std::printf("(PRP1/PRP2 are filled in for a %u-byte %s buffer)\n", o.data_len,
                        to_device ? "host-to-controller" : "controller-to-host");
        if (o.dry_run) return 0;
    }

    Session s(o.common, o.io);
    const uint16_t qid = o.io ? s.io_qid() : 0;
    std::vector<uint8_t> in_data;
    Completion c;
    if (raw_prps || o.data_len == 0 || (!to_device && !from_device)) {
        // The PRPs are what the user typed (or none): the controller DMAs wherever they point.
        c = s.drv().execute(qid, sqe);
    } else {
        if (from_device) in_data.assign(o.data_len, 0);
        c = s.drv().execute_with_data(qid, sqe, out_data, in_data);
    }
    s.end_command();
    if (o.raw_binary && !in_data.empty()) s.trace_to_stderr();
    if (!c.ok()) return s.finish(report_failure(c, Format::Normal));
    if (o.raw_binary && !in_data.empty()) {
        if (!write_binary(in_data.data(), in_data.size())) return s.finish(1);
    } else {
        std::printf("NVMe command result:%08x\n", c.cqe.dw0);
        if (!in_data.empty()) print_text(hex_dump(in_data));
    }
    return s.finish(0);
}

void add_passthru_options(CLI::App *sub, PassthruOptions &o) {
    add_device_options(sub, o.common);
    sub->add_option("-O,--opcode", o.opcode, "Opcode (e.g. 0x06 Identify, 0x02 Read)")
        ->required()
        ->check(number_range(0, 255));
    sub->add_option("-f,--flags", o.flags, "Command dword 0 bits 15:8 (FUSE, PSDT)")
        ->check(number_range(0, 255));
    sub->add_option("-n,--namespace-id", o.nsid, "NSID (command dword 1)")->capture_default_str();
    sub->add_option("-2,--cdw2", o.cdw[2], "Command dword 2");
    sub->add_option("-3,--cdw3", o.cdw[3], "Command dword 3");
    for (int i = 10; i <= 15; ++i)
        sub->add_option(fmt::format("-{},--cdw{}", i - 6, i), o.cdw[i],
                        fmt::format("Command dword {}", i));
    sub->add_option("-l,--data-len", o.data_len, "Data buffer length in bytes")
        ->check(number_range(0u, kMaxDataLen));
    sub->add_flag("-r,--read", o.read, "Data moves controller -> host (default: from opcode)");
    sub->add_flag("-w,--write", o.write, "Data moves host -> controller (default: from opcode)");
    sub->add_option("-i,--input-file", o.input_file, "Data to send with --write (default: zeros)")
        ->type_name("FILE");
    sub->add_flag("-b,--raw-binary", o.raw_binary, "Write returned data to stdout as raw bytes");
    sub->add_flag("-s,--show-command", o.show_command, "Print the command before sending it");
    sub->add_flag("-d,--dry-run", o.dry_run, "Print the command and do not send it");
    sub->add_option("--prp1", o.prp1,
                    "Raw PRP entry 1 (host address); no data buffer is set up then");
    sub->add_option("--prp2", o.prp2, "Raw PRP entry 2 (page or PRP list address)");
}

} // namespace

void register_passthru_commands(Registry &reg) {
    add_command<PassthruOptions>(
        reg, "admin-passthru", "Send any admin command, dword by dword",
        [](CLI::App *sub, PassthruOptions &o) { add_passthru_options(sub, o); }, run_passthru);
    add_command<PassthruOptions>(
        reg, "io-passthru", "Send any I/O (NVM) command on I/O queue 1, dword by dword",
        [](CLI::App *sub, PassthruOptions &o) {
            o.io = true;
            o.nsid = 1;
            add_passthru_options(sub, o);
        },
        run_passthru);
}

} // namespace nvmelab::cli
