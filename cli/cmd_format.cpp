// format: Format NVM (NVMe 1.3 §5.23) in nvme-cli's style: switch a namespace to another of its
// LBA formats, with the metadata layout and protection information chosen.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/session.h"
#include "cli/status_report.h"

namespace nvmelab::cli {

namespace {

struct FormatOptions {
    CommonOptions common;
    uint32_t nsid = 1;
    uint8_t lbaf = 0;
    uint8_t ses = 0;
    uint8_t pi = 0;
    uint8_t pil = 0;
    uint8_t mset = 0;
    bool force = false;
};

int run_format(const FormatOptions &o) {
    // Every block of the namespace is erased: nvme-cli asks first, a script says --force.
    if (!o.force)
        throw std::runtime_error(
            fmt::format("format erases every block of namespace {} (data and metadata): add "
                        "--force to go ahead",
                        o.nsid == 0xFFFFFFFFu ? std::string("(all)") : std::to_string(o.nsid)));
    Session s(o.common, false);
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::FormatNvm);
    sqe.nsid = o.nsid;
    // The fields go in as given: the controller checks them (a reserved SES, PI type 4, an LBAF
    // past NLBAF each get their status).
    sqe.cdw10 = (o.lbaf & 0xFu) | (o.mset & 1u) << 4 | (o.pi & 0x7u) << 5 | (o.pil & 1u) << 8 |
                (o.ses & 0x7u) << 9;
    const Completion c = s.drv().execute(0, sqe);
    s.end_command();
    if (!c.ok()) return s.finish(report_failure(c, Format::Normal));
    std::printf("Success formatting namespace:%x\n", o.nsid);
    return s.finish(0);
}

} // namespace

void register_format_command(Registry &reg) {
    add_command<FormatOptions>(
        reg, "format", "Format NVM: switch a namespace to another LBA format, erasing it",
        [](CLI::App *sub, FormatOptions &o) {
            add_device_options(sub, o.common);
            sub->add_option("-n,--namespace-id", o.nsid,
                            "Namespace to format (0xffffffff: every namespace)")
                ->capture_default_str();
            sub->add_option("-l,--lbaf", o.lbaf, "LBA format index (see id-ns)")
                ->check(number_range(0, 15));
            sub->add_option("-s,--ses", o.ses,
                            "Secure erase: 0 none, 1 user data erase, 2 cryptographic erase")
                ->check(number_range(0, 7));
            sub->add_option("-i,--pi", o.pi, "Protection information type: 0 none, 1, 2, 3")
                ->check(number_range(0, 7));
            sub->add_option("-p,--pil", o.pil,
                            "PI location: 1 first 8 bytes of metadata, 0 last 8 bytes")
                ->check(number_range(0, 1));
            sub->add_option("-m,--ms", o.mset,
                            "Metadata settings (MSET): 1 metadata at the end of each block "
                            "(extended LBA), 0 in a separate buffer")
                ->check(number_range(0, 1));
            sub->add_flag("-f,--force", o.force, "Erase without asking (required)");
        },
        run_format);
}

} // namespace nvmelab::cli
