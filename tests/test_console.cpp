// The console language: bring-up through registers, raw SQEs, checks, error reporting.
#include <algorithm>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "console/console.h"
#include "core/media/backing_store.h"
#include "doctest/doctest.h"

using namespace nvmelab;

namespace {

DeviceConfig small_device() {
    DeviceConfig cfg;
    cfg.size = 64 << 20;
    return cfg;
}

struct Rig {
    DeviceConfig cfg = small_device();
    SparseHostMemory mem;
    MemoryBackingStore store{cfg.size};
    Controller ctrl{cfg, mem, store};
    HostDriver drv{ctrl, mem};
    Console con{ctrl, mem, drv};

    // Runs a line that must succeed; returns its output.
    std::string ok(std::string_view line) {
        const ConsoleResult r = con.exec_line(line);
        INFO("line: ", std::string(line));
        INFO("error: ", r.error);
        REQUIRE(r.ok);
        CHECK(r.error.empty());
        return r.output;
    }
    // Runs a line that must fail; returns the error.
    std::string bad(std::string_view line) {
        const ConsoleResult r = con.exec_line(line);
        INFO("line: ", std::string(line));
        INFO("output: ", r.output);
        REQUIRE_FALSE(r.ok);
        CHECK_FALSE(r.error.empty());
        return r.error;
    }
    // Runs a script that must succeed.
    std::string script(std::string_view text) {
        const ConsoleResult r = con.exec_script(text, "test");
        INFO("error: ", r.error);
        REQUIRE(r.ok);
        return r.output;
    }
    uint32_t reg32(spec::Reg r) const { return ctrl.read32(static_cast<uint32_t>(r)); }
};

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// Admin queue of 8 entries brought up through register writes only.
constexpr std::string_view kRegisterBringUp = R"(
mem alloc asq 4K
mem alloc acq 4K
reg write AQA 0x00070007
reg write ASQ $asq
reg write ACQ $acq
reg write CC 0x00460001     # IOCQES=4 IOSQES=6 EN=1
expect reg CSTS.RDY == 0    # not yet: the controller needs time
run
expect reg CSTS.RDY == 1
)";

} // namespace

TEST_SUITE("console") {
    TEST_CASE("console input must be UTF-8 text: bad bytes are named with their column") {
        // Valid: ASCII, 2-, 3- and 4-byte characters, and the ends of the ranges.
        for (std::string_view line :
             {"echo plain", "echo caf\xC3\xA9", "echo \xE2\x82\xAC 5", "echo \xF0\x9F\x98\x80",
              "echo \xED\x9F\xBF \xEE\x80\x80 \xF4\x8F\xBF\xBF"}) {
            CAPTURE(std::string(line));
            CHECK(Console::text_error(line).empty());
        }
        struct Case {
            std::string_view line;
            std::string_view message;
        };
        const Case bad[] = {
            {"echo caf\xE9", "byte 0xE9 at column 9 is not UTF-8"}, // Latin-1
            {"echo \xC3", "byte 0xC3 at column 6"},                 // cut short
            {"echo \xC3\x28", "byte 0xC3 at column 6"},             // bad continuation
            {"echo \x80", "byte 0x80 at column 6"},                 // continuation first
            {"echo \xC0\x80", "byte 0xC0 at column 6"},             // overlong NUL
            {"echo \xE0\x80\xAF", "byte 0xE0 at column 6"},         // overlong '/'
            {"echo \xED\xA0\x80", "byte 0xED at column 6"},         // a surrogate
            {"echo \xF4\x90\x80\x80", "byte 0xF4 at column 6"},     // past U+10FFFF
            {"echo \xF8\x88\x80\x80\x80", "byte 0xF8 at column 6"}, // 5-byte form
            {std::string_view("echo a\0b", 8), "a NUL byte at column 7"},
        };
        Rig r;
        for (const Case &c : bad) {
            CAPTURE(std::string(c.line));
            CHECK(contains(Console::text_error(c.line), c.message));
            CHECK(contains(r.bad(c.line), c.message));
        }
        // A script with such a line is refused whole: its first line does not run.
        const ConsoleResult s = r.con.exec_script("set x 5\necho ok\necho \xFF\n", "bad.nvs");
        CHECK_FALSE(s.ok);
        CHECK(contains(s.error, "bad.nvs:3: byte 0xFF at column 6"));
        CHECK(r.con.variables().count("x") == 0);
    }

    TEST_CASE("bring-up through raw register writes") {
        Rig r;
        const std::string out = r.script(kRegisterBringUp);
        CHECK(contains(out, "CC    = 0x00460001  EN=1 CSS=0 MPS=0 AMS=0 SHN=0 IOSQES=6 IOCQES=4"));
        CHECK(spec::CstsReg{r.reg32(spec::Reg::Csts)}.rdy());
        CHECK(spec::AqaReg{r.reg32(spec::Reg::Aqa)}.asqs() == 7);
        CHECK(r.ctrl.read64(static_cast<uint32_t>(spec::Reg::Asq)) == r.con.variables().at("asq"));
        CHECK(r.ctrl.read64(static_cast<uint32_t>(spec::Reg::Acq)) == r.con.variables().at("acq"));
        // The admin queue exists on the controller, and the console (not the driver) owns it.
        CHECK_FALSE(r.drv.has_queue(0));
        const std::string q = r.ok("queues");
        CHECK(contains(q, "(console)"));
        r.ok("expect sq 0 tail == 0");
        r.ok("expect queue 0 phase == 1");
    }

    TEST_CASE("reg shows every register decoded and field writes are read-modify-write") {
        Rig r;
        const std::string all = r.ok("reg");
        for (std::string_view name :
             {"CAP ", "VS ", "INTMS", "INTMC", "CC ", "CSTS", "NSSR", "AQA", "ASQ", "ACQ"})
            CHECK(contains(all, name));
        CHECK(contains(all, "MQES=2047"));
        CHECK(contains(all, "MJR=1 MNR=3 TER=0"));

        r.ok("reg write CC.IOSQES 6");
        r.ok("reg write CC.IOCQES 4");
        const std::string out = r.ok("reg write CC.MPS 1");
        CHECK(contains(out, "CC.MPS <- 1"));
        const spec::CcReg cc{r.reg32(spec::Reg::Cc)};
        CHECK(cc.iosqes() == 6);
        CHECK(cc.iocqes() == 4);
        CHECK(cc.mps() == 1);
        CHECK_FALSE(cc.en());
        CHECK(contains(r.ok("reg read CC.MPS"), "CC.MPS = 1"));
        CHECK(contains(r.ok("reg cc"), "MPS=1")); // names are case-insensitive
        r.ok("expect reg CC.MPS == 1");
        r.ok("expect reg cc.iosqes >= 6");
        r.ok("expect reg CC != 0");

        // Read-only bits: the console says the write did not stick.
        const std::string vs = r.ok("reg write VS 0x12345678");
        CHECK(contains(vs, "note: VS reads back 0x10300"));
        CHECK(r.reg32(spec::Reg::Vs) == spec::kVersion1_3);
    }

    TEST_CASE("enabling with bad settings reports CSTS.CFS and the reason") {
        Rig r;
        r.ok("mem alloc q 4K");
        r.ok("reg write ASQ $q");
        r.ok("reg write ACQ $q");
        // AQA = 0: a one-entry admin queue is refused.
        const std::string out = r.ok("reg write CC 0x00460001");
        CHECK(contains(out, "CSTS.CFS = 1"));
        CHECK(contains(out, "AQA.ASQS"));
        r.ok("expect reg CSTS.CFS == 1");
        // A queue command names the fatal status, not a missing queue.
        r.ok("sqe x opc=0x06 cdw10=1");
        const std::string fatal = r.bad("submit 0 x");
        CHECK(contains(fatal, "Controller Fatal Status (CSTS.CFS = 1)"));
        CHECK_FALSE(contains(fatal, "does not exist"));
        const std::string err = r.bad("enable entries=1");
        CHECK(contains(err, "enable failed"));
        CHECK(contains(err, "ASQS"));
    }

    TEST_CASE("numbers follow nvme-cli: 0x hex, a leading 0 octal, else decimal") {
        Rig r;
        CHECK(contains(r.ok("set oct 010"), "0x8"));
        CHECK(contains(r.ok("set hex 0x10"), "0x10"));
        CHECK(contains(r.ok("set dec 10"), "0xa"));
        CHECK(contains(r.ok("set sum $oct+010"), "0x10"));
        CHECK(contains(r.ok("set size 010K"), "0x2000"));
        const std::string err = r.bad("set bad 09");
        CHECK(contains(err, "'09' is not a number: a leading 0 means octal (as in nvme-cli), so 8 "
                            "and 9 are not digits"));
    }

    TEST_CASE("raw Identify through sqe, submit, ring, step and reap") {
        Rig r;
        r.script(kRegisterBringUp);
        r.ok("mem alloc id 4K");
        const std::string def = r.ok("sqe idc opc=0x06 cdw10=1 prp1=$id");
        CHECK(contains(def, "Identify"));
        const std::string sub = r.ok("submit 0 idc");
        CHECK(contains(sub, "host tail now 1"));
        // Not rung yet: the controller has nothing to do.
        r.ok("expect sq 0 tail == 0");
        CHECK(r.ctrl.idle());
        const std::string rang = r.ok("ring 0");
        CHECK(contains(rang, "SQ 0 tail doorbell (0x1000) <- 1"));
        r.ok("expect sq 0 tail == 1");
        const std::string fetch = r.ok("step");
        CHECK(contains(fetch, "fetch"));
        r.ok("expect sq 0 head == 1");
        r.ok("expect cq 0 pending == 0");
        const std::string posted = r.ok("step command");
        CHECK(contains(posted, "cqe"));
        r.ok("expect cq 0 pending == 1");
        const std::string reaped = r.ok("reap 0");
        CHECK(contains(reaped, "cqe cid=0 sq=0 sqhd=1 phase=1"));
        CHECK(contains(reaped, "Successful Completion"));
        r.ok("expect cq 0 pending == 0");
        r.ok("expect cq 0 head == 1"); // the reap wrote the CQ head doorbell
        r.ok("expect status success");
        // The data landed in host memory: VID, then the serial number.
        r.ok("expect mem $id u16 == 0x1b36");
        r.ok("expect mem $id+4 bytes str:\"NVMELAB\"");
        r.ok("expect mem $id+4 bytes \"4e 56 4d 45\"");
        r.ok("expect mem $id+4 bytes 4e564d45");
        // Checks that could not fail are refused: no bytes, a namespace that is not there.
        CHECK(contains(r.bad("expect mem $id bytes \"\""), "no bytes to compare"));
        for (const char *nsid : {"0", "2", "0xffffffff"})
            CHECK(contains(r.bad(fmt::format("expect cached {} == 0", nsid)),
                           "there is no namespace"));
        r.ok("expect cached 1 == 0");
        // Virtual time does not wrap.
        CHECK(contains(r.bad("run for 18446744073709551"), "would pass the end of virtual time"));
        CHECK(contains(r.ok("mem dump $id 32"), "|6.6.NVMELAB00000|"));
        // Nothing more to reap.
        CHECK(contains(r.ok("reap 0"), "no new completion"));
    }

    TEST_CASE("a deliberately bad PRP gives PRP Offset Invalid with the explanation") {
        Rig r;
        r.script(kRegisterBringUp);
        r.ok("mem alloc id 4K");
        r.ok("sqe bad opc=0x06 cdw10=1 prp1=$id+2"); // not dword aligned
        const std::string out = r.ok("admin bad");
        CHECK(contains(out, "PRP Offset Invalid"));
        CHECK(contains(out, "why: PRP1=0x"));
        CHECK(contains(out, "dword aligned"));
        r.ok("expect status \"PRP Offset Invalid\"");
        r.ok("expect status prp offset invalid");
        r.ok("expect status 0x4013"); // DNR + SC 13h; the More bit only counts when given
        r.ok("expect status 0x6013");
        r.ok("expect sct 0 sc 0x13");
        r.ok("expect dnr 1");
        const std::string err = r.bad("expect status success");
        CHECK(contains(err, "expected success"));
        CHECK(contains(err, "actual PRP Offset Invalid"));
    }

    TEST_CASE("write and read back through the driver-level commands") {
        Rig r;
        const std::string en = r.ok("enable");
        CHECK(contains(en, "CSTS.RDY = 1 after"));
        CHECK(r.drv.has_queue(0));
        CHECK(contains(r.ok("queue create entries=16"), "I/O queue pair 1"));
        r.ok("mem alloc buf 8K");
        r.ok("write 1 10 1 data=str:\"hello, nvme\"");
        r.ok("expect status success");
        const std::string rd = r.ok("read 1 10 1 buf=$buf");
        CHECK(contains(rd, "read 2 blocks (8192 bytes)"));
        CHECK(contains(rd, "hello, nvme"));
        r.ok("expect mem $buf bytes str:\"hello, nvme\"");
        r.ok("expect mem $buf+11 u8 == 0"); // zero padded
        r.ok("write 1 12 0 data=0xA5 fua");
        r.ok("read 1 12 0 buf=$buf");
        r.ok("expect mem $buf+4095 u8 == 0xa5");
        r.ok("expect mem $buf u64 == 0xa5a5a5a5a5a5a5a5");
        // Writing from a buffer the host filled.
        r.ok("mem fill $buf 0x3c 4096");
        r.ok("write 1 20 0 buf=$buf queue=1");
        // The admin queue is not an I/O queue: its opcode 01h is Create I/O SQ, not Write.
        const size_t queues = r.ctrl.queues().size();
        for (const char *line : {"write 1 0x0001000100010005 0 data=0 queue=0",
                                 "read 1 20 0 buf=$buf queue=0", "flush 1 queue=0"})
            CHECK(contains(r.bad(line), "queue=0 is the admin queue"));
        CHECK(r.ctrl.queues().size() == queues);
        r.ok("mem fill $buf 0 4096");
        r.ok("read 1 20 0 buf=$buf");
        r.ok("expect mem $buf+100 u32 == 0x3c3c3c3c");
        CHECK(contains(r.ok("flush 1"), "Successful Completion"));
        // Out of range.
        CHECK(contains(r.ok("read 1 0x100000 0"), "LBA Out of Range"));
        r.ok("expect status \"LBA Out of Range\"");
    }

    TEST_CASE("the phase tag flips when a small CQ wraps") {
        Rig r;
        r.ok("enable");
        r.ok("queue create entries=4");
        r.ok("expect queue 1 phase == 1");
        for (int i = 0; i < 3; ++i)
            r.ok("write 1 0 0 data=0x11");
        r.ok("expect queue 1 phase == 1");
        r.ok("expect cq 1 tail == 3");
        r.ok("write 1 0 0 data=0x22"); // the fourth entry: the tail wraps to 0
        r.ok("expect queue 1 phase == 0");
        r.ok("expect cq 1 tail == 0");
        r.ok("expect sq 1 head == 0");
        const std::string out = r.ok("read 1 0 0");
        CHECK(contains(out, "phase=0")); // the fifth CQE carries the new phase
        r.ok("expect queue 1 phase == 0");
        CHECK(contains(r.bad("expect queue 1 phase == 1"), "actual 0"));
    }

    TEST_CASE("expect cq pending counts entries the host has not reaped") {
        Rig r;
        r.ok("enable");
        r.ok("queue create entries=8");
        r.ok("mem alloc b 4K");
        r.ok("sqe rd opc=2 nsid=1 cdw12=0");
        r.ok("prp rd $b 4096");
        r.ok("submit 1 rd");
        r.ok("submit 1 rd");
        r.ok("submit 1 rd");
        r.ok("ring 1");
        r.ok("expect cq 1 pending == 0");
        CHECK(contains(r.ok("run"), "controller idle"));
        r.ok("expect cq 1 pending == 3");
        const std::string out = r.ok("reap 1");
        CHECK(contains(out, "cid=0"));
        CHECK(contains(out, "cid=2"));
        r.ok("expect cq 1 pending == 0");
        // A CID given explicitly is kept.
        r.ok("sqe rd cid=77");
        CHECK(contains(r.ok("io 1 rd"), "cid=77"));
    }

    TEST_CASE("failed expects say what was expected and what was found") {
        Rig r;
        r.ok("enable");
        std::string e = r.bad("expect reg CSTS.RDY == 0");
        CHECK(contains(e, "expect failed"));
        CHECK(contains(e, "CSTS.RDY"));
        CHECK(contains(e, "expected == 0x0"));
        CHECK(contains(e, "actual 0x1"));
        r.ok("mem alloc m 4K");
        r.ok("mem write $m de ad be ef");
        e = r.bad("expect mem $m u32 == 0xdeadbeef");
        CHECK(contains(e, "expected == 0xdeadbeef"));
        CHECK(contains(e, "actual 0xefbeadde"));
        r.ok("expect mem $m u32 == 0xefbeadde");
        e = r.bad("expect mem $m bytes \"de ad 00\"");
        CHECK(contains(e, "expected de ad 00"));
        CHECK(contains(e, "actual de ad be"));
        e = r.bad("expect queue 0 tail > 100");
        CHECK(contains(e, "expected > 100"));
        r.ok("identify ctrl");
        e = r.bad("expect status \"Invalid Field in Command\"");
        CHECK(contains(e, "expected Invalid Field in Command"));
        CHECK(contains(e, "actual Successful Completion"));
        e = r.bad("expect dw0 == 5");
        CHECK(contains(e, "actual 0x0"));
        e = r.bad("expect sct 1 sc 2");
        CHECK(contains(e, "actual sct 0 sc 0x00"));
    }

    TEST_CASE("expect status falls back to the controller's last completion") {
        Rig r;
        Rig fresh;
        CHECK(contains(fresh.bad("expect status success"), "no completion"));
        r.ok("enable");
        // A completion the console did not see: it checks the controller's.
        spec::Sqe sqe{};
        sqe.opc = 0x7F; // not an admin opcode
        const Completion c = r.drv.execute(0, sqe);
        REQUIRE_FALSE(c.ok());
        r.ok("expect status \"Invalid Command Opcode\"");
        // Once the console has seen one, that one counts.
        r.ok("get-feature 7");
        r.ok("expect status success");
        r.ok("expect dw0 != 0");
    }

    TEST_CASE("every kind of malformed line fails with the problem and the syntax") {
        Rig r;
        auto has = [](const std::string &err, std::string_view what) {
            INFO(err);
            CHECK(contains(err, what));
        };
        has(r.bad("frobnicate"), "unknown command 'frobnicate'");
        has(r.bad("reg read"), "missing register NAME; usage: reg read NAME[.FIELD]");
        has(r.bad("reg write CC"), "missing VALUE; usage: reg write");
        has(r.bad("reg write CC 1 2"), "unexpected argument '2'");
        has(r.bad("reg read FOO"), "unknown register 'FOO'");
        has(r.bad("reg read CC.FOO"), "CC has no field 'FOO'");
        has(r.bad("reg write CC.MPS 16"), "out of range for CC.MPS");
        has(r.bad("reg write CC.MPS 16"), "usage: reg write");
        has(r.bad("mem alloc b 12Q"), "bad number '12Q' for SIZE");
        has(r.bad("mem alloc b 12Q"), "usage: mem alloc");
        has(r.bad("mem dump $nowhere 16"), "unknown variable '$nowhere'");
        has(r.bad("mem dump $nowhere 16"), "usage: mem dump");
        has(r.bad("mem write 0x0 00"), "not mapped");
        has(r.bad("mem write"), "missing ADDR");
        has(r.bad("mem frob"), "unknown mem subcommand");
        has(r.bad("mem read 0x10000 u7"), "expected u8, u16, u32 or u64");
        has(r.bad("echo \"open"), "unterminated string");
        has(r.bad("sqe"), "missing NAME");
        has(r.bad("sqe x cdw10=1"), "give its opcode with opc=");
        has(r.bad("sqe x opc=1 color=red"), "unknown option 'color='");
        has(r.bad("sqe x opc=0x100"), "out of range for opc");
        has(r.bad("submit 0 nothing"), "no SQE named 'nothing'");
        has(r.bad("ring 0"), "the controller is disabled");
        has(r.bad("read 1 0"), "missing NLB0");
        has(r.bad("read 1 0 0 speed=9"), "unknown option 'speed='");
        has(r.bad("write 1 0 0"), "exactly one of data=PATTERN or buf=ADDR");
        has(r.bad("identify everything"), "unknown identify target");
        has(r.bad("step lots"), "bad number 'lots' for N");
        has(r.bad("run backwards 5"), "unexpected argument 'backwards'");
        has(r.bad("expect"), "missing what to check");
        has(r.bad("expect wombat 1"), "unknown check 'wombat'");
        has(r.bad("expect status Quite Fine"), "unknown status name");
        has(r.bad("expect dw0 =="), "missing the VALUE after '=='");
        has(r.bad("expect queue 0 color == 1"), "unknown queue field 'color'");
        has(r.bad("set 9lives 1"), "bad variable NAME");
        has(r.bad("help wombat"), "no help for 'wombat'");
        has(r.bad("queue"), "usage: queue create");
        has(r.bad("doorbell up 1 1"), "expected sq or cq");
        has(r.bad("disable now"), "unexpected argument 'now'");
        has(r.bad("set x 5-6"), "negative");
        has(r.bad("set x 0xffffffffffffffff+1"), "does not fit in 64 bits");
    }

    TEST_CASE("exec_line never throws, whatever it is given") {
        Rig r;
        r.ok("enable");
        const std::string_view lines[] = {"",
                                          "   ",
                                          "# just a comment",
                                          "\t\r",
                                          "\"",
                                          "reg write",
                                          "mem alloc x 1T",
                                          "mem dump 0 0",
                                          "= = =",
                                          "expect mem",
                                          "$",
                                          "set $",
                                          "sqe a opc=",
                                          "sqe a opc=1 cid=",
                                          "read 0 0 0xffff",
                                          "write 1 0 0xffff data=1",
                                          "queue create 0",
                                          "queue delete 0",
                                          "get-log 2 0",
                                          "identify ns 0xffffffff",
                                          "step 0",
                                          "run until 0",
                                          "trace 0",
                                          "io 0 nothing",
                                          "reap 65535",
                                          "doorbell cq 9 9",
                                          "reg write NSSR 0x4E564D65",
                                          "reap 0",
                                          "mem write 0x10000 str:",
                                          "prp nothing 0 0",
                                          "help help",
                                          "expect status 0xffff",
                                          "set y 1G+1M+$y"};
        for (std::string_view line : lines) {
            INFO(std::string(line));
            ConsoleResult res;
            CHECK_NOTHROW(res = r.con.exec_line(line));
            if (!res.ok) CHECK_FALSE(res.error.empty());
        }
        CHECK(r.con.exec_line("").ok);
        CHECK(r.con.exec_line("   # nothing here").ok);
        CHECK(r.con.exec_line("").output.empty());
    }

    TEST_CASE("exec_script stops at the first failing line and names it") {
        Rig r;
        const ConsoleResult res = r.con.exec_script("echo one\n"
                                                    "\n"
                                                    "# comment\r\n"
                                                    "set a 1\n"
                                                    "expect reg CSTS.RDY == 1\n"
                                                    "set b 2\n",
                                                    "lesson.md");
        CHECK_FALSE(res.ok);
        CHECK(res.error.rfind("lesson.md:5: expect failed: CSTS.RDY", 0) == 0);
        CHECK(contains(res.output, "one\n"));
        CHECK(contains(res.output, "$a = 0x1"));
        CHECK(r.con.variables().count("a") == 1);
        CHECK(r.con.variables().count("b") == 0); // never ran

        const ConsoleResult good = r.con.exec_script("set c 3\nset d $c+1", "x");
        CHECK(good.ok);
        CHECK(r.con.variables().at("d") == 4);
    }

    TEST_CASE("numbers, variables and host memory") {
        Rig r;
        const std::string a = r.ok("mem alloc buf 8K align=64K");
        const uint64_t buf = r.con.variables().at("buf");
        CHECK(buf % (64 * 1024) == 0);
        CHECK(contains(a, fmt::format("$buf = 0x{:x}", buf)));
        r.ok("set off 0x10");
        r.ok("mem write $buf+$off de ad u16:0xbeef u32:7 u64:1K str:\"hi\"");
        r.ok("expect mem $buf+16 bytes de ad ef be 07 00 00 00");
        r.ok("expect mem $buf+24 u64 == 1024");
        r.ok("expect mem $buf+32 bytes str:hi");
        r.ok("expect mem $buf+0x10 u8 == 0xde");
        CHECK(contains(r.ok("mem read $buf+16 u16"), "0xadde"));
        const std::string dump = r.ok("mem dump $buf+16 20");
        CHECK(contains(dump, fmt::format("0x{:08x}  de ad ef be 07 00 00 00", buf + 16)));
        CHECK(contains(dump, "|....")); // ASCII column
        r.ok("mem fill $buf 0xff 8");
        r.ok("expect mem $buf u64 == 0xffffffffffffffff");
        const std::string map = r.ok("mem map");
        CHECK(contains(map, "buf"));
        CHECK(contains(map, "8 KiB"));
        r.ok("set big 2M");
        CHECK(r.con.variables().at("big") == 2 * 1024 * 1024);
        r.ok("set sum 1G-1K+0x10");
        CHECK(r.con.variables().at("sum") == (uint64_t{1} << 30) - 1024 + 16);
        CHECK(contains(r.ok("set"), "$big"));
    }

    TEST_CASE("driver-level bring-up, queues table, features and logs") {
        Rig r;
        r.ok("enable");
        r.ok("queue create 3 entries=32 prio=high iv=2");
        const std::string q = r.ok("queues");
        CHECK(contains(q, "(driver)"));
        CHECK(contains(q, "SQ       3    3    32"));
        const std::string id = r.ok("identify ctrl");
        CHECK(contains(id, "mn      \"nvmelab emulated NVMe SSD\""));
        CHECK(contains(id, "ver     0x00010300 (1.3.0)"));
        CHECK(contains(id, "nn      1"));
        const std::string ns = r.ok("identify ns 1");
        CHECK(contains(ns, "nsze    16384 blocks (64 MiB)"));
        CHECK(contains(ns, "lbads=12"));
        CHECK(contains(r.ok("identify nslist"), "active namespaces (1): 1"));
        CHECK(contains(r.ok("identify ns 9"), "Invalid Namespace or Format"));
        const std::string nq = r.ok("get-feature 7");
        CHECK(contains(nq, "Number of Queues"));
        r.ok("set-feature 6 0");
        r.ok("expect status success");
        r.ok("get-feature 6");
        r.ok("expect dw0 == 0");
        r.ok("set-feature 6 1");
        r.ok("get-feature 6");
        r.ok("expect dw0 == 1");
        const std::string log = r.ok("get-log 2 512");
        CHECK(contains(log, "SMART"));
        CHECK(contains(log, "+0x01f0"));
        CHECK(contains(r.ok("get-log 0x55 64"), "Invalid Log Page"));
        // Telemetry Host-Initiated: header only until lsp=1 captures one block of data (its data
        // areas then end at block 1; bytes 5-7 are the IEEE OUI).
        CHECK(contains(r.ok("get-log 7 512"), "76 6e 02  00 00 00 00 00 00"));
        CHECK(contains(r.ok("get-log 7 1024 lsp=1 rae"), "76 6e 02  01 00 01 00 01 00"));
        CHECK(contains(r.ok("get-log 8 512 lsp=1"), "Invalid Field"));
        // Host Identifier comes back as data.
        CHECK(contains(r.ok("get-feature 0x81"), "data:"));
        CHECK(contains(r.ok("queue delete 3"), "deleted"));
        CHECK_FALSE(r.drv.has_queue(3));
        CHECK(contains(r.ok("shutdown"), "SHST = 10b"));
        r.ok("expect reg CSTS.SHST == 2");
    }

    TEST_CASE("clearing CC.EN by hand drops the host's queue state too") {
        Rig r;
        r.ok("enable");
        r.ok("queue create entries=8");
        REQUIRE(r.drv.has_queue(1));
        r.ok("reg write CC.EN 0");
        CHECK_FALSE(r.drv.has_queue(0));
        CHECK_FALSE(r.drv.has_queue(1));
        CHECK(contains(r.ok("queues"), "no queues"));
        // AQA/ASQ/ACQ kept their values: setting EN again brings the admin queue back, and the
        // console drives it itself.
        r.ok("reg write CC.EN 1");
        r.ok("run");
        r.ok("expect reg CSTS.RDY == 1");
        CHECK(contains(r.ok("identify ctrl"), "Successful Completion"));
        r.ok("queue create entries=4");
        r.ok("write 1 0 0 data=0x5a");
        r.ok("mem alloc b 4K");
        r.ok("read 1 0 0 buf=$b");
        r.ok("expect mem $b u8 == 0x5a");
    }

    TEST_CASE("doorbell writes the controller ignores are reported") {
        Rig r;
        const std::string out = r.ok("doorbell sq 1 5");
        CHECK(contains(out, "SQ 1 tail doorbell (0x1008) <- 5"));
        CHECK(contains(out, "doorbell-invalid"));
    }

    TEST_CASE("step, run, trace and mark") {
        Rig r;
        r.script(kRegisterBringUp);
        r.ok("mark");
        r.ok("mem alloc id 4K");
        r.ok("sqe idc opc=6 cdw10=1 prp1=$id");
        r.ok("submit 0 idc");
        r.ok("ring 0");
        const std::string one = r.ok("step 1");
        CHECK(contains(one, "fetch"));
        const std::string rest = r.ok("run");
        CHECK(contains(rest, "controller idle"));
        CHECK(contains(r.ok("step"), "controller idle after 0 events"));
        const std::string since = r.ok("trace since-mark");
        CHECK(contains(since, "doorbell-sq"));
        CHECK(contains(since, "cqe"));
        const std::string last = r.ok("trace 2");
        CHECK(std::count(last.begin(), last.end(), '\n') == 2);
        const uint64_t before = r.ctrl.now_ns();
        CHECK(contains(r.ok("run for 100"), "ran 0 events"));
        CHECK(r.ctrl.now_ns() == before + 100'000);
        CHECK(contains(r.bad("run until 1"), "cannot go back"));
    }

    TEST_CASE("help covers every command") {
        const std::string h = Console::help();
        for (std::string_view cmd :
             {"reg",          "doorbell",      "mem alloc",    "mem write",  "mem fill",
              "mem dump",     "mem map",       "enable",       "disable",    "shutdown",
              "queue create", "queue delete",  "queues",       "sqe",        "prp",
              "submit",       "ring",          "reap",         "admin",      "io QID",
              "identify",     "read NSID",     "write NSID",   "flush",      "get-feature",
              "set-feature",  "get-log",       "step",         "run",        "trace",
              "mark",         "expect status", "expect sct",   "expect dnr", "expect dw0",
              "expect reg",   "expect mem",    "expect queue", "expect cq",  "echo",
              "set",          "help"}) {
            INFO(std::string(cmd));
            CHECK(contains(h, cmd));
        }
        CHECK(contains(Console::help("mem"), "mem dump ADDR LEN"));
        CHECK_FALSE(contains(Console::help("mem"), "enable"));
        CHECK(Console::help("nonsense").empty());
        Rig r;
        CHECK(contains(r.ok("help expect"), "expect cq QID"));
        CHECK(contains(r.ok("echo hello   \"two  words\""), "hello two  words"));
    }

} // TEST_SUITE
