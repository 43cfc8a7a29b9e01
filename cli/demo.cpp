// `nvmelab demo`: a guided first run for newcomers. It creates a small device image, looks at
// the controller, writes and reads a block of text with the controller's event trace, and
// shows what an NVMe error looks like.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/session.h"
#include "cli/status_report.h"
#include "image/device_image.h"

namespace nvmelab::cli {

namespace {

struct DemoOptions {
    std::string dir;
};

void heading(int step, const std::string &title, const std::string &explanation) {
    std::printf("\n== Step %d: %s ==\n%s\n\n", step, title.c_str(), explanation.c_str());
}

void command(const std::string &text) {
    std::printf("  $ %s\n", text.c_str());
}

std::string indent(const std::string &text, const char *prefix = "    ") {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = text.find('\n', start);
        const size_t stop = end == std::string::npos ? text.size() : end;
        out += prefix + text.substr(start, stop - start) + "\n";
        start = stop + 1;
    }
    return out;
}

std::string make_temp_dir() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/nvmelab-demo-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr)
        throw std::runtime_error(fmt::format("cannot create a temporary directory from '{}': {}",
                                             pattern, std::strerror(errno)));
    return buf.data();
}

int run_demo(const DemoOptions &o) {
    const std::string dir = o.dir.empty() ? make_temp_dir() : o.dir;
    const std::string image = dir + "/demo.img";

    std::printf("nvmelab demo: a guided tour of an emulated NVMe 1.3 SSD.\n"
                "Everything below runs on a virtual clock, so the times in the traces are the\n"
                "same on every run and every machine.\n");

    heading(1, "Create a device image",
            "A device image is a file holding the SSD's media and its persistent state. It is\n"
            "sparse: blocks never written take no disk space.");
    command(fmt::format("nvmelab create {} --size 64M", image));
    DeviceConfig config;
    config.size = uint64_t{64} << 20;
    config.serial = "NVMELABDEMO0001";
    config.validate();
    DeviceImage::create(image, config.to_json(), config.size, true);
    std::printf("  created: %llu blocks of %u bytes\n",
                static_cast<unsigned long long>(config.nsze()), config.lba_size());

    heading(2, "Power on and identify the controller",
            "The host driver enables the controller (CC.EN = 1), waits for CSTS.RDY = 1, and\n"
            "sends Identify Controller and Identify Namespace admin commands.");
    command(fmt::format("nvmelab id-ctrl {}", image));
    CommonOptions common;
    common.image = image;
    Session s(common, true);
    const spec::IdentifyController id = s.drv().identify_controller();
    const spec::IdentifyNamespace ns = s.drv().identify_namespace(1);
    const uint64_t max_transfer = id.mdts == 0 ? 0 : uint64_t{4096} << id.mdts;
    Table t;
    t.add("mn (model)", trim_field(id.mn, sizeof id.mn));
    t.add("sn (serial)", trim_field(id.sn, sizeof id.sn));
    t.add("fr (firmware)", trim_field(id.fr, sizeof id.fr));
    t.add("ver (NVMe version)", fmt::format("{}.{}", id.ver >> 16, (id.ver >> 8) & 0xFF));
    t.add("mdts (max transfer)",
          max_transfer == 0 ? std::string("0 (no limit)")
                            : fmt::format("{} ({} KiB per command)", id.mdts, max_transfer / 1024));
    t.add("nn (namespaces)", fmt::format("{}", id.nn));
    t.add("vwc (write cache)", id.vwc & 1 ? "present" : "none");
    t.add("namespace 1 size", fmt::format("{} blocks of {} bytes", ns.nsze, ns.lba_data_size()));
    std::printf("%s", indent(t.str()).c_str());

    const uint32_t lba = ns.lba_data_size();
    const std::string message =
        "Hello from nvmelab! This block went through a submission queue, a doorbell, "
        "PRP-described DMA and a completion queue.";
    std::vector<uint8_t> block(lba, 0);
    std::memcpy(block.data(), message.data(), std::min<size_t>(message.size(), lba));

    heading(3, "Write a block of text to LBA 0",
            "The host puts a Write command (opcode 01h) in I/O submission queue 1 and rings its\n"
            "doorbell. The controller fetches it, pulls the data from host memory (DMA), stores\n"
            "it in its volatile write cache, posts a completion queue entry (CQE) and raises an\n"
            "interrupt. The event trace shows each step:");
    command(fmt::format("echo 'Hello from nvmelab! ...' | nvmelab write {} -s 0 --trace", image));
    std::printf("  data: \"%s\"\n\n", message.c_str());
    uint64_t mark = s.ctrl().trace().total_recorded();
    const Completion w = s.drv().write(s.io_qid(), 1, 0, 0, block);
    std::printf("%s", indent(trace_lines(s.ctrl().trace(), mark)).c_str());
    if (!w.ok()) return s.finish(report_failure(w, Format::Normal));
    std::printf("  status: success\n");

    heading(4, "Read it back",
            "A Read command (opcode 02h) comes back from the cache (or the media), and the\n"
            "controller DMAs the block into the host's buffer:");
    command(fmt::format("nvmelab read {} -s 0 --trace", image));
    std::vector<uint8_t> back(lba, 0);
    mark = s.ctrl().trace().total_recorded();
    const Completion r = s.drv().read(s.io_qid(), 1, 0, 0, back);
    std::printf("%s", indent(trace_lines(s.ctrl().trace(), mark)).c_str());
    if (!r.ok()) return s.finish(report_failure(r, Format::Normal));
    const std::string text(reinterpret_cast<const char *>(back.data()),
                           strnlen(reinterpret_cast<const char *>(back.data()), back.size()));
    std::printf("  data: \"%s\"\n  %s\n", text.c_str(),
                back == block ? "same as written" : "DIFFERENT from what was written!");

    heading(
        5, "Make a mistake on purpose",
        fmt::format("Reading LBA {} is one block past the end of the namespace. The controller\n"
                    "rejects the command with a status code; nvmelab also says which field\n"
                    "broke which rule of the specification:",
                    ns.nsze));
    command(fmt::format("nvmelab read {} -s {}", image, ns.nsze));
    const Completion e = s.drv().read(s.io_qid(), 1, ns.nsze, 0, back);
    if (e.ok()) {
        std::printf("  (unexpectedly, the read succeeded)\n");
    } else {
        std::printf("  %s\n", status_line(e).c_str());
        if (const std::string why = explanation_line(e); !why.empty())
            std::printf("  %s\n", why.c_str());
        std::printf(
            "\n  The controller also logged the failure in its Error Information log page:\n");
        command(fmt::format("nvmelab error-log {} -e 1", image));
        std::array<uint8_t, sizeof(spec::ErrorLogEntry)> raw{};
        const Completion l = s.drv().get_log_page(
            static_cast<uint8_t>(spec::LogId::ErrorInformation), 0xFFFFFFFF, 0, raw);
        if (l.ok()) {
            spec::ErrorLogEntry entry{};
            std::memcpy(&entry, raw.data(), sizeof entry);
            std::printf("%s", indent(error_log_text({&entry, 1})).c_str());
        }
    }

    const int rc = s.finish(0);
    std::printf("\n== Next ==\nThe device was shut down cleanly; its data and logs are kept in "
                "%s.\nTry:\n",
                image.c_str());
    const std::pair<const char *, const char *> next[] = {
        {"id-ctrl {} -o json", "everything Identify Controller says, as JSON"},
        {"smart-log {}", "health counters: commands, data units, power cycles"},
        {"read {} -s 0 -z 19", "the text again, from the image file this time"},
        {"show-regs {} -H", "the controller registers, decoded"},
        {"write {} -s 1 -d FILE --power-cut", "a write lost in the volatile cache"},
        {"read {} -s 2 --trace=all", "every event, from power-on to shutdown"},
    };
    for (const auto &[cmd, what] : next)
        std::printf("  $ %-44s # %s\n",
                    ("nvmelab " + fmt::format(fmt::runtime(cmd), image)).c_str(), what);
    std::printf("  $ %-44s # all commands\n", "nvmelab --help");
    return rc;
}

} // namespace

void register_demo_command(Registry &reg) {
    add_command<DemoOptions>(
        reg, "demo", "Guided tour: create a small device, write, read, trace and an error",
        [](CLI::App *sub, DemoOptions &o) {
            sub->add_option("--dir", o.dir,
                            "Directory for demo.img (overwritten; default: a new temporary "
                            "directory)")
                ->check(CLI::ExistingDirectory)
                ->type_name("DIR");
        },
        run_demo);
}

} // namespace nvmelab::cli
