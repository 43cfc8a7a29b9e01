// The console's command table (console/command_table.h): every form is complete, help and
// syntax errors come from it, docs/console.md names the same forms; and the host queue model the
// console shares with the driver (driver/host_queue.h), PRP-list (PC = 0) queues included.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/console.h"
#include "core/media/backing_store.h"
#include "doctest/doctest.h"

using namespace nvmelab;

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// The alternatives of a usage ("step [N] | step command").
std::vector<std::string> alternatives(std::string_view usage) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (true) {
        const size_t bar = usage.find(" | ", pos);
        out.emplace_back(usage.substr(pos, bar == std::string_view::npos ? bar : bar - pos));
        if (bar == std::string_view::npos) return out;
        pos = bar + 3;
    }
}

struct ConsoleRig {
    DeviceConfig cfg;
    SparseHostMemory mem;
    MemoryBackingStore store;
    Controller ctrl;
    HostDriver drv;
    Console con;

    explicit ConsoleRig(bool contiguous_required = true)
        : cfg(config(contiguous_required)), store(cfg.size), ctrl(cfg, mem, store), drv(ctrl, mem),
          con(ctrl, mem, drv) {}

    static DeviceConfig config(bool contiguous_required) {
        DeviceConfig c;
        c.size = 64 << 20;
        c.cqr = contiguous_required;
        return c;
    }
    std::string ok(std::string_view line) {
        const ConsoleResult r = con.exec_line(line);
        INFO("line: ", std::string(line));
        INFO("error: ", r.error);
        REQUIRE(r.ok);
        return r.output;
    }
    std::string bad(std::string_view line) {
        const ConsoleResult r = con.exec_line(line);
        INFO("line: ", std::string(line));
        REQUIRE_FALSE(r.ok);
        return r.error;
    }
};

} // namespace

TEST_SUITE("console") {
    TEST_CASE("every command form has its words, a usage, a help text and a handler") {
        std::set<std::string_view> keys;
        size_t forms = 0;
        for (const console::CommandFamily *family : console::command_families()) {
            CAPTURE(std::string(family->section));
            CHECK_FALSE(family->section.empty());
            CHECK_FALSE(family->forms.empty());
            for (const console::CommandForm &form : family->forms) {
                CAPTURE(std::string(form.key));
                ++forms;
                CHECK(keys.insert(form.key).second); // declared once
                CHECK((form.run != nullptr));
                CHECK(form.help.size() > 10);
                // Each alternative of the usage is the form's words and its arguments.
                for (const std::string &alt : alternatives(form.usage)) {
                    CAPTURE(alt);
                    CHECK((alt == form.key || alt.rfind(std::string(form.key) + " ", 0) == 0));
                }
                // help(words) shows the form's usage and text; a syntax error of the form quotes
                // the usage.
                const std::string help = Console::help(form.key);
                CHECK(contains(help, form.usage));
                CHECK(contains(help, form.help.substr(0, 30)));
                CHECK(contains(Console::help(), form.usage));
                CHECK(contains(console::usage(form.key), form.usage));
                // The options and flags the form's handler accepts (split_form) are the ones its
                // usage shows: lowercase NAME= words, and [flag] words.
                std::set<std::string> shown;
                for (size_t eq = form.usage.find('='); eq != std::string_view::npos;
                     eq = form.usage.find('=', eq + 1)) {
                    size_t start = eq;
                    while (start > 0 &&
                           ((form.usage[start - 1] >= 'a' && form.usage[start - 1] <= 'z') ||
                            (form.usage[start - 1] >= '0' && form.usage[start - 1] <= '9')))
                        --start;
                    if (start < eq) shown.insert(std::string(form.usage.substr(start, eq - start)));
                }
                CHECK(shown == std::set<std::string>(form.options.begin(), form.options.end()));
                for (std::string_view flag : form.flags)
                    CHECK(contains(form.usage, fmt::format("[{}]", flag)));
            }
            // A word with only sub-forms says what is missing in its own words.
            for (const console::CommandWord &word : family->words) {
                CAPTURE(std::string(word.word));
                CHECK(keys.count(word.word) == 0);
                ConsoleRig r;
                CHECK(contains(r.bad(word.word), word.missing));
                CHECK(contains(r.bad(fmt::format("{} wombat", word.word)),
                               fmt::format("{} 'wombat'", word.unknown)));
            }
        }
        CHECK(forms == 52);
    }

    TEST_CASE("a bad line of each family fails with the usage of its form") {
        struct Case {
            std::string_view section;
            std::string_view line;
            std::string_view error; // the problem and the usage quoted
        };
        const Case cases[] = {
            {"Registers", "reg write CC", "missing VALUE; usage: reg write NAME[.FIELD] VALUE"},
            {"Host memory", "mem fill 0x1000 1", "missing LEN; usage: mem fill ADDR BYTE LEN"},
            {"Bring-up (host driver)", "queue delete", "missing QID; usage: queue delete QID"},
            {"Raw commands", "ring", "missing QID; usage: ring QID"},
            {"Commands (submit, ring, wait)", "get-log 2",
             "missing LEN; usage: get-log LID LEN [offset=N] [nsid=N] [buf=ADDR] [lsp=N] [rae]"},
            {"Virtual time", "mark now", "unexpected argument 'now'; usage: mark"},
            {"End-to-end protection (PI)", "pi corrupt 1",
             "missing LBA; usage: pi corrupt NSID LBA guard|apptag|reftag"},
            {"Checks (a failed check stops a script)", "expect dnr",
             "missing the expected VALUE; usage: expect dnr 0|1"},
            {"Other", "set 9lives 1",
             "bad variable NAME '9lives': use letters, digits and _; "
             "usage: set NAME VALUE | set"},
        };
        std::set<std::string_view> covered;
        ConsoleRig r;
        for (const Case &c : cases) {
            CAPTURE(std::string(c.line));
            CHECK(r.bad(c.line) == c.error);
            covered.insert(c.section);
        }
        for (const console::CommandFamily *family : console::command_families())
            CHECK_MESSAGE(covered.count(family->section) == 1, family->section);

        // Checked before a line runs (lesson files, exec scripts): the form, and register names
        // of the forms that take them.
        CHECK(contains(Console::syntax_error("mem"), "'mem' needs one of: alloc write fill read "
                                                     "dump map; usage: mem alloc"));
        CHECK(contains(Console::syntax_error("queue frob 1"), "unknown form 'queue frob'"));
        CHECK(contains(Console::syntax_error("reg read FOO"), "unknown register 'FOO'"));
        CHECK(contains(Console::syntax_error("reg write CC.FOO 1"), "CC has no field 'FOO'"));
        CHECK(contains(Console::syntax_error("reg cc.rdy"), "CC has no field 'rdy'"));
        CHECK(contains(Console::syntax_error("expect reg CSTS.EN 1"), "CSTS has no field 'EN'"));
        CHECK(contains(Console::syntax_error("frobnicate"), "unknown command 'frobnicate'"));
        CHECK(Console::syntax_error("expect reg CSTS.RDY == 1").empty());
        CHECK(Console::syntax_error("mem dump $later 16").empty()); // values wait for run time
    }

#ifdef NVMELAB_SOURCE_DIR
    TEST_CASE("docs/console.md names every command form with the table's usage, and no other") {
        std::ifstream file(std::string(NVMELAB_SOURCE_DIR) + "/docs/console.md");
        REQUIRE(file.good());
        std::stringstream text;
        text << file.rdbuf();
        // The first cell of each table row in "## Commands": `USAGE` (\| for |).
        std::set<std::string> documented;
        bool in_commands = false;
        std::string line;
        while (std::getline(text, line)) {
            if (line.rfind("## ", 0) == 0) in_commands = line == "## Commands";
            if (!in_commands || line.rfind("| `", 0) != 0) continue;
            const size_t end = line.find("` |", 3);
            REQUIRE_MESSAGE(end != std::string::npos, line);
            std::string usage = line.substr(3, end - 3);
            for (size_t at; (at = usage.find("\\|")) != std::string::npos;)
                usage.replace(at, 2, "|");
            documented.insert(usage);
        }
        std::set<std::string> table;
        for (const console::CommandFamily *family : console::command_families())
            for (const console::CommandForm &form : family->forms)
                table.insert(std::string(form.usage));
        for (const std::string &u : table)
            CHECK_MESSAGE(documented.count(u) == 1, "docs/console.md lacks `", u, "`");
        for (const std::string &u : documented)
            CHECK_MESSAGE(table.count(u) == 1, "docs/console.md has `", u,
                          "`, which is no command form");
    }
#endif

    TEST_CASE("the console drives a PC = 0 queue it did not create through its PRP list") {
        // 128 SQ entries of 64 bytes take two pages; the second lies below the first, so a
        // slot address computed as base + index * 64 would land in the wrong place (§5.4).
        ConsoleRig r(false);
        r.ok("enable");
        r.ok("mem alloc sqp2 4K");
        r.ok("mem alloc sqp1 4K");
        r.ok("mem alloc cqp 4K");
        r.ok("mem alloc sql 4K");
        r.ok("mem alloc cql 4K");
        r.ok("mem write $sql u64:$sqp1 u64:$sqp2");
        r.ok("mem write $cql u64:$cqp");
        // Create I/O CQ 1 (QSIZE 127, IEN, PC = 0) and SQ 1 (CQ 1, medium, PC = 0).
        r.ok("sqe mkcq opc=0x05 prp1=$cql cdw10=0x007f0001 cdw11=0x00010002");
        r.ok("admin mkcq");
        r.ok("expect status success");
        r.ok("sqe mksq opc=0x01 prp1=$sql cdw10=0x007f0001 cdw11=0x00010004");
        r.ok("admin mksq");
        r.ok("expect status success");
        // The controller took the pages from the list; the host may reuse the list page now.
        r.ok("mem fill $sql 0 4096");
        CHECK(contains(r.ok("queues"), "tail=0 (console)"));

        r.ok("sqe fl opc=0x00 nsid=1");
        for (int i = 0; i < 70; ++i)
            r.ok("submit 1 fl");
        r.ok("expect mem $sqp2+2 u16 == 64"); // slot 64: the first of the second page
        r.ok("expect mem $sqp1+2 u16 == 0");
        r.ok("ring 1");
        r.ok("run");
        r.ok("expect cq 1 pending == 70");
        const std::string reaped = r.ok("reap 1");
        CHECK(std::count(reaped.begin(), reaped.end(), '\n') == 70);
        CHECK(contains(reaped, "cqe cid=69 sq=1 sqhd=70 phase=1"));
        r.ok("expect status success");
        r.ok("expect sq 1 head == 70");
        CHECK(contains(r.ok("queues"), "head=70 phase=1 pending=0"));
    }

    TEST_CASE("the driver creates, uses and frees PC = 0 queue pairs") {
        ConsoleRig r(false);
        r.drv.enable();
        // 256 SQ entries: 4 pages, so commands 64.. go to other pages.
        const uint16_t q = r.drv.create_io_queue_pair(256, 2, 1, std::nullopt, false);
        CHECK_FALSE(r.drv.queue(q).contiguous);
        CHECK(r.drv.sq(q).memory.pages().size() == 4);
        for (const QueueView &v : r.ctrl.queues())
            if (v.qid == q) CHECK_FALSE(v.contiguous);
        for (uint32_t i = 0; i < 100; ++i) {
            std::vector<uint8_t> data(4096, static_cast<uint8_t>(i));
            REQUIRE(r.drv.write(q, 1, i, 0, data).ok());
        }
        for (uint32_t i = 0; i < 100; i += 33) {
            std::vector<uint8_t> back(4096);
            REQUIRE(r.drv.read(q, 1, i, 0, back).ok());
            CHECK(back[4095] == static_cast<uint8_t>(i));
        }
        CHECK(contains(r.ok("queues"), "(driver)"));
        const size_t regions = r.mem.regions().size();
        r.drv.delete_io_queue_pair(q);
        // Every page and list page is freed: SQ 4 + 1, CQ 1 + 1.
        CHECK(r.mem.regions().size() == regions - 7);

        // A controller that requires contiguous queues (CAP.CQR = 1) refuses PC = 0.
        ConsoleRig strict(true);
        strict.drv.enable();
        CHECK_THROWS_AS(strict.drv.create_io_queue_pair(16, 2, 1, std::nullopt, false),
                        DriverError);
    }
}
