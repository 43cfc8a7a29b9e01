// Unit tests of save / load (journal replay), the workload generator and the web app's URL
// arguments: GL-free parts of the UI, run natively and under ASan + UBSan.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "doctest/doctest.h"

#include <string>

#include <nlohmann/json.hpp>

#include "core/util/bounded_json.h"
#include "ui/model/session.h"
#include "ui/model/state_file.h"
#include "ui/model/url_args.h"
#include "ui/model/workload.h"

using namespace nvmelab;
using namespace nvmelab::ui;

namespace {

ConsoleResult must(Session &s, const std::string &line) {
    ConsoleResult r = s.exec(line);
    INFO(line << ": " << r.error);
    REQUIRE(r.ok);
    return r;
}

WorkloadParams small_workload() {
    WorkloadParams p;
    p.queues = 2;
    p.entries = 32;
    p.depth = 6;
    p.read_percent = 50;
    p.min_bytes = 4096;
    p.max_bytes = 16384; // 4 pages: PRP lists too
    p.events_per_tick = 300;
    p.seed = 42;
    return p;
}

// A session that went through every kind of journal entry.
void busy_session(Session &s, WorkloadGenerator &g) {
    must(s, "enable");
    must(s, "queue create entries=16");
    must(s, "write 1 10 1 data=str:\"kept on media\"");
    must(s, "mem alloc note 4K");
    must(s, "mem write $note str:\"host memory\"");
    g.start(s, small_workload());
    for (int i = 0; i < 25; ++i)
        g.tick(s);
    g.stop(s);
    for (int i = 0; i < 5; ++i)
        g.tick(s);
    s.set_events_per_frame(3);
    s.set_running(true);
    s.tick();
    s.tick();
    s.set_running(false);
    s.power_cycle(PowerOff::Unclean);
    must(s, "enable");
    must(s, "queue create entries=8");
    // A write left in flight.
    must(s, "mem alloc buf 4K");
    must(s, "sqe w opc=0x01 nsid=1 cdw10=20");
    must(s, "prp w $buf 4096");
    must(s, "submit 1 w");
    must(s, "ring 1");
    must(s, "step 2");
}

} // namespace

TEST_CASE("a saved state loads back exactly, workload and command in flight included") {
    Session a;
    WorkloadGenerator ga;
    busy_session(a, ga);
    const nlohmann::json before = state_json(a, ga);
    CHECK(before["inflight"].size() == 1);
    CHECK(before["workload"]["completed"].get<uint64_t>() == 0); // the power cycle ended the run
    const std::string saved = save_state(a, ga);

    Session b;
    WorkloadGenerator gb;
    load_state(b, gb, saved);
    CHECK(state_json(b, gb) == before);
    // Saving the loaded state gives the same document: the replay re-records the journal.
    CHECK(save_state(b, gb) == saved);
    // The Namespace window's map comes out the same: the blocks the power cut lost (every
    // write before it was still cached), then the write left in flight.
    const NamespaceUsage &ua = a.namespace_usage();
    const NamespaceUsage &ub = b.namespace_usage();
    CHECK(ua.lost().blocks() > 2);
    CHECK(ub.lost().ranges() == ua.lost().ranges());
    // The media and host memory hold the same data.
    must(a, "run");
    must(b, "run");
    CHECK(ua.written().blocks() > 0);
    CHECK(ub.written().ranges() == ua.written().ranges());
    CHECK(must(a, "read 1 10 0").output == must(b, "read 1 10 0").output);
    CHECK(must(a, "mem dump $buf 16").output == must(b, "mem dump $buf 16").output);
}

TEST_CASE("the workload's statistics survive a save / load while it runs") {
    Session a;
    WorkloadGenerator ga;
    must(a, "enable");
    ga.start(a, small_workload());
    for (int i = 0; i < 40; ++i)
        ga.tick(a);
    REQUIRE(ga.running());
    REQUIRE(ga.stats().completed > 20);
    CHECK(ga.stats().errors == 0);
    const std::string saved = save_state(a, ga);
    Session b;
    WorkloadGenerator gb;
    load_state(b, gb, saved);
    CHECK(gb.running());
    CHECK(gb.stats().completed == ga.stats().completed);
    CHECK(gb.outstanding() == ga.outstanding());
    // Both go on identically.
    for (int i = 0; i < 10; ++i) {
        ga.tick(a);
        gb.tick(b);
    }
    CHECK(state_json(a, ga) == state_json(b, gb));
}

TEST_CASE("bad state files are refused with a clear error and change nothing") {
    Session s;
    WorkloadGenerator g;
    must(s, "enable");
    must(s, "queue create entries=16");
    const nlohmann::json before = state_json(s, g);
    const auto refused = [&](const std::string &text, const std::string &needle) {
        try {
            load_state(s, g, text);
            FAIL("accepted: " << text.substr(0, 80));
        } catch (const StateError &e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(needle) != std::string::npos);
        }
        CHECK(state_json(s, g) == before);
    };
    refused("not json", "not valid JSON");
    refused("[1,2]", "not a JSON object");
    refused(R"({"format":"other"})", "format");
    refused(R"({"format":"nvmelab-state","version":9,"config":{},"journal":[],"state":{}})",
            "version 9");
    refused(R"({"format":"nvmelab-state","version":1,"config":{"lbads":3},"journal":[],
               "state":{}})",
            "configuration");
    refused(R"({"format":"nvmelab-state","version":1,"config":{},"journal":[{"what":1}],
               "state":{}})",
            "unknown entry");
    refused(R"({"format":"nvmelab-state","version":1,"config":{},"journal":[{"steps":1e15}],
               "state":{}})",
            "journal entry 0");
    refused(R"({"format":"nvmelab-state","version":1,"config":{},
               "journal":[{"wl":"tick","n":1}],"state":{}})",
            "not running");

    // Small files that would keep the app busy for hours: the whole journal is bounded, not
    // only each entry.
    refused(R"({"format":"nvmelab-state","version":1,"config":{},"journal":[
               {"steps":60000000},{"steps":60000000}],"state":{}})",
            "more than 100 M controller events");
    refused(R"({"format":"nvmelab-state","version":1,"config":{},"journal":[
               {"exec":"enable"},{"exec":"queue create entries=64"},
               {"wl":"start","params":{"events_per_tick":1000000},"qids":[1]},
               {"wl":"tick","n":60},{"wl":"tick","n":41}],"state":{}})",
            "more than 100 M controller events");
    refused(R"({"format":"nvmelab-state","version":1,"config":{},"journal":[
               {"wl":"start","params":{"events_per_tick":1000000},"qids":[1]},
               {"wl":"tick","n":18446744073709551615}],"state":{}})",
            "more than 100 M controller events");

    // Nesting that would overflow the stack once the document is printed or compared.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    refused(R"({"format":"nvmelab-state","version":1,"config":{},"journal":[],"state":)" + deep +
                "}",
            "nested more than 64 levels");
    refused(R"({"format":"nvmelab-state","version":1,"config":{},"journal":[)" + deep +
                R"(],"state":{}})",
            "nested more than 64 levels");

    // A journal that replays but to another state: the difference is named.
    Session other;
    WorkloadGenerator go;
    must(other, "enable");
    nlohmann::json doc = nlohmann::json::parse(save_state(other, go));
    doc["journal"].push_back({{"exec", "queue create entries=4"}, {"remember", true}});
    refused(doc.dump(), "differs from the saved one at state.");
}

TEST_CASE("a line or script that is not UTF-8 is refused and left out of the journal") {
    // A state file is JSON, which holds only UTF-8: such input used to make every save throw.
    Session s;
    WorkloadGenerator g;
    must(s, "enable");
    const size_t entries = s.journal().entries().size();
    const ConsoleResult line = s.exec("echo caf\xE9");
    CHECK_FALSE(line.ok);
    CHECK(line.error.find("byte 0xE9 at column 9 is not UTF-8") != std::string::npos);
    const ConsoleResult script = s.exec_script("queue create\necho \xFF\n", "latin1.nvs");
    CHECK_FALSE(script.ok);
    CHECK(script.error.find("latin1.nvs:2: byte 0xFF") != std::string::npos);
    CHECK(s.ctrl().queues().size() == 2); // the script's first line did not run either
    CHECK(s.journal().entries().size() == entries);
    // Saving works, and the state loads back.
    const std::string saved = save_state(s, g);
    Session b;
    WorkloadGenerator gb;
    load_state(b, gb, saved);
    CHECK(state_json(b, gb) == state_json(s, g));
}

TEST_CASE("workload parameters are checked against the device") {
    Session s;
    WorkloadGenerator g;
    const auto refused = [&](WorkloadParams p, const std::string &needle) {
        try {
            g.start(s, p);
            FAIL("accepted");
        } catch (const WorkloadError &e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(needle) != std::string::npos);
        }
        CHECK_FALSE(g.running());
    };
    WorkloadParams p = small_workload();
    p.depth = p.entries;
    refused(p, "depth");
    p = small_workload();
    p.queues = 65;
    refused(p, "max_ioqpairs");
    p = small_workload();
    p.max_bytes = 1u << 20; // MDTS 5 with 4 KiB pages: 128 KiB
    refused(p, "MDTS");
    p = small_workload();
    p.min_bytes = 3000;
    refused(p, "powers of two");
    p = small_workload();
    p.entries = 5000;
    refused(p, "MQES");
    CHECK_THROWS_WITH_AS(WorkloadParams::from_json({{"queue", 2}}),
                         doctest::Contains("unknown parameter 'queue'"), WorkloadError);
    CHECK_THROWS_WITH_AS(WorkloadParams::from_json({{"depth", -1}}),
                         doctest::Contains("non-negative"), WorkloadError);
    // Nothing was sent to the device by the refused starts.
    CHECK(s.ctrl().queues().empty());
}

TEST_CASE("the workload keeps each queue at its depth and sees reads and writes complete") {
    Session s;
    WorkloadGenerator g;
    WorkloadParams p = small_workload();
    p.sequential = true;
    g.start(s, p);
    REQUIRE(g.queue_ids().size() == 2);
    g.tick(s);
    CHECK(g.outstanding() <= uint64_t{p.depth} * p.queues);
    for (int i = 0; i < 50; ++i)
        g.tick(s);
    CHECK(g.stats().reads > 0);
    CHECK(g.stats().writes > 0);
    CHECK(g.stats().errors == 0);
    CHECK(g.stats().completed + g.outstanding() == g.stats().submitted);
    CHECK_FALSE(g.stats().kiops.empty());
    // A power cycle replaces the device: the run is over.
    s.power_cycle(PowerOff::Clean);
    g.tick(s);
    CHECK_FALSE(g.running());
    CHECK(g.queue_ids().empty());
}

TEST_CASE("URL arguments") {
    const UrlArgs a = parse_url_args(
        "?mdts=3&lbads=9&size=64M&exec=enable&exec=queue+create+entries%3D16&wl_queues=2"
        "&wl_max=8K&run=1&bogus=1&mdts=x&fresh=maybe&exec=%ZZ");
    CHECK(a.has_device);
    CHECK(a.config.mdts == 3);
    CHECK(a.config.lbads == 9);
    CHECK(a.config.size == uint64_t{64} << 20);
    REQUIRE(a.exec.size() == 2);
    CHECK(a.exec[1] == "queue create entries=16");
    REQUIRE(a.workload);
    CHECK(a.workload->queues == 2);
    CHECK(a.workload->max_bytes == 8192);
    CHECK(a.run);
    CHECK_FALSE(a.fresh);
    CHECK(a.describes_state());
    REQUIRE(a.errors.size() == 4);
    CHECK(a.errors[0].find("unknown URL argument 'bogus'") != std::string::npos);
    CHECK(a.errors[1].find(
              "mdts=x: property 'mdts' is given more than once (the first one applies)") !=
          std::string::npos);
    CHECK(a.errors[2].find("fresh=maybe") != std::string::npos);
    CHECK(a.errors[3].find("% escape") != std::string::npos);

    // A property given twice: the first applies, and the second is named.
    const UrlArgs twice = parse_url_args("?mdts=5&mdts=1");
    CHECK(twice.config.mdts == 5);
    REQUIRE(twice.errors.size() == 1);
    CHECK(twice.errors[0].find("mdts=1: property 'mdts' is given more than once") !=
          std::string::npos);

    CHECK_FALSE(parse_url_args("").describes_state());
    CHECK(parse_url_args("?fresh=1").fresh);
    // Properties that break a rule together fall back to the default device, with the reason.
    const UrlArgs bad = parse_url_args("size=1000&lbads=12");
    CHECK_FALSE(bad.has_device);
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0].find("size") != std::string::npos);
}

TEST_CASE("a share link rebuilds the device, the typed lines and the workload") {
    DeviceConfig c;
    c.lbads = 9;
    c.mdts = 4;
    Session s(c);
    WorkloadGenerator g;
    must(s, "enable");
    must(s, "mem alloc x 4K");
    WorkloadParams p = small_workload();
    p.min_bytes = 512;
    g.start(s, p);
    const std::string q = share_query(s);
    INFO(q);
    CHECK(q.find("lbads=9") != std::string::npos);
    CHECK(q.find("mdts=4") != std::string::npos);
    CHECK(q.find("exec=mem+alloc+x+4K") != std::string::npos);
    const UrlArgs back = parse_url_args(q);
    CHECK(back.errors.empty());
    CHECK(back.config.to_json() == c.to_json());
    CHECK(back.exec == std::vector<std::string>{"enable", "mem alloc x 4K"});
    REQUIRE(back.workload);
    CHECK(back.workload->to_json() == p.to_json());
}

// ---- bounds on a state file (state_file.h): each refused naming the bound, nothing changed --

namespace {

std::string doc_with_journal(const nlohmann::json &journal) {
    return nlohmann::json{{"format", "nvmelab-state"},
                          {"version", 1},
                          {"config", nlohmann::json::object()},
                          {"journal", journal},
                          {"state", nlohmann::json::object()}}
        .dump();
}

// Loads `text` into a session with a queue pair, expects a StateError containing `needle`, and
// checks the session is as it was.
void check_refused(const std::string &text, const std::string &needle,
                   const StateLimits &limits = {}) {
    Session s;
    WorkloadGenerator g;
    must(s, "enable");
    must(s, "queue create entries=16");
    const nlohmann::json before = state_json(s, g);
    try {
        load_state(s, g, text, limits);
        FAIL("accepted: " << text.substr(0, 80));
    } catch (const StateError &e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
    CHECK(state_json(s, g) == before);
    // The session still works.
    CHECK(s.exec("write 1 0 0 data=0x5a").ok);
}

} // namespace

TEST_CASE("the issue's 200000-entry state (6 MB, which killed the web app) is refused by size") {
    nlohmann::json journal = nlohmann::json::array();
    for (int i = 0; i < 200000; ++i)
        journal.push_back({{"exec", "echo x"}, {"remember", true}});
    const std::string text = doc_with_journal(journal);
    REQUIRE(text.size() > 6'000'000);
    check_refused(text, " bytes (6.");
    check_refused(text, "more than the 4194304 bytes (4.0 MiB) a state file may hold");
}

TEST_CASE("a journal of more entries than kMaxJournalEntries is refused before it replays") {
    // {"steps":1} entries keep the file under kMaxStateBytes: the count is what is refused.
    nlohmann::json journal = nlohmann::json(kMaxJournalEntries, {{"steps", 1}});
    journal.insert(journal.begin(), {{"exec", "enable"}});
    const std::string text = doc_with_journal(journal);
    REQUIRE(text.size() < kMaxStateBytes);
    check_refused(text, "the journal has 100001 entries, more than the 100000 a state file");
    StateLimits small;
    small.max_entries = 2;
    check_refused(doc_with_journal({{{"exec", "enable"}}, {{"steps", 1}}, {{"steps", 1}}}),
                  "the journal has 3 entries, more than the 2", small);
}

TEST_CASE("a console line or script line past kMaxJournalLineBytes is refused in a state file "
          "and when typed") {
    const std::string long_line = "echo " + std::string(kMaxJournalLineBytes, 'x');
    check_refused(doc_with_journal({{{"exec", "enable"}}, {{"exec", long_line}}}),
                  "journal entry 1: a console line of 4101 bytes, more than the 4096 a line");
    check_refused(
        doc_with_journal({{{"script", "enable\n" + long_line + "\n"}, {"name", "big.nvs"}}}),
        "journal entry 0: big.nvs:2: a console line of 4101 bytes");
    // A line of exactly the bound is fine.
    Session s;
    CHECK(s.exec("echo " + std::string(kMaxJournalLineBytes - 5, 'y')).ok);
    const size_t entries = s.journal().entries().size();
    const ConsoleResult typed = s.exec(long_line);
    CHECK_FALSE(typed.ok);
    CHECK(typed.error.find("a console line of 4101 bytes, more than the 4096") !=
          std::string::npos);
    const ConsoleResult script = s.exec_script("enable\n" + long_line, "typed.nvs");
    CHECK_FALSE(script.ok);
    CHECK(script.error.find("typed.nvs:2: a console line of 4101 bytes") != std::string::npos);
    CHECK(s.ctrl().queues().empty()); // the script's first line (enable) did not run either
    CHECK(s.journal().entries().size() == entries);
}

TEST_CASE("a replay that runs past its time bound is stopped and the state put back") {
    nlohmann::json journal = nlohmann::json::array({{{"exec", "enable"}}});
    journal.push_back({{"exec", "queue create entries=64"}});
    for (int i = 0; i < 50; ++i)
        journal.push_back({{"exec", "write 1 0 255 data=0xa5"}});
    StateLimits limits;
    limits.max_seconds = 0.001;
    check_refused(doc_with_journal(journal), "s (stopped at journal entry ", limits);
    check_refused(doc_with_journal(journal), "of 52), more than this app replays", limits);
}

TEST_CASE("a session past a bound is not saved, since it would not load back") {
    Session s;
    WorkloadGenerator g;
    must(s, "enable");
    // Lines just under the line bound: the document passes kMaxStateBytes long before the
    // journal has kMaxJournalEntries entries.
    const std::string line = "echo " + std::string(kMaxJournalLineBytes - 5, 'z');
    for (size_t i = 0; i < kMaxStateBytes / kMaxJournalLineBytes + 1; ++i)
        must(s, line);
    CHECK_THROWS_WITH_AS(save_state(s, g),
                         doctest::Contains("more than the 4194304 bytes (4.0 MiB) a state file"),
                         StateError);
    Session t;
    must(t, "enable");
    for (size_t i = 0; i < kMaxJournalEntries; ++i)
        t.exec("echo", false);
    CHECK_THROWS_WITH_AS(save_state(t, g),
                         doctest::Contains("journal has 100001 entries, more than the 100000"),
                         StateError);
}

TEST_CASE("a session of kMaxJournalEntries entries saves and loads back") {
    Session a;
    WorkloadGenerator ga;
    must(a, "enable");
    must(a, "queue create entries=16");
    while (a.journal().entries().size() < kMaxJournalEntries)
        a.exec("run", false); // 32 bytes an entry: 3.2 MB in all
    const std::string saved = save_state(a, ga);
    CHECK(saved.size() <= kMaxStateBytes);
    Session b;
    WorkloadGenerator gb;
    load_state(b, gb, saved);
    CHECK(state_json(b, gb) == state_json(a, ga));
}

TEST_CASE("State -> Load reads at most kMaxStateBytes of a file, and names a file it cannot read") {
    CHECK_THROWS_WITH_AS(read_state_file("/nonexistent/state.json"),
                         "cannot read '/nonexistent/state.json': No such file or directory",
                         StateError);
    CHECK_THROWS_WITH_AS(read_state_file("/"), "cannot read '/': Is a directory", StateError);
    // An endless file is refused once it passes the bound, not read forever.
    CHECK_THROWS_WITH_AS(
        read_state_file("/dev/zero"),
        "'/dev/zero' is more than the 4194304 bytes (4.0 MiB) a state file may hold", StateError);
    Session s;
    WorkloadGenerator g;
    must(s, "enable");
    const std::string saved = save_state(s, g);
    const std::string path = "ui-state-test.json";
    {
        std::FILE *f = std::fopen(path.c_str(), "wb");
        REQUIRE(f);
        std::fwrite(saved.data(), 1, saved.size(), f);
        std::fclose(f);
    }
    CHECK(read_state_file(path) == saved);
    StateLimits small;
    small.max_bytes = saved.size() - 1;
    CHECK_THROWS_WITH_AS(read_state_file(path, small), doctest::Contains("is more than the"),
                         StateError);
    std::remove(path.c_str());
}

TEST_CASE("hostile URL arguments: each gets a clear error, the rest of the link applies") {
    const auto only_error = [](const UrlArgs &a, const std::string &needle) {
        REQUIRE(a.errors.size() == 1);
        INFO(a.errors[0]);
        CHECK(a.errors[0].find(needle) != std::string::npos);
        CHECK(a.errors[0].size() < 1000); // a long value is not repeated whole
    };
    // Huge numbers: device properties, workload parameters, the lesson step.
    UrlArgs a = parse_url_args("mdts=99999999999999999999999&lbads=9");
    only_error(a, "mdts=99999999999999999999999");
    CHECK(a.config.lbads == 9);
    only_error(parse_url_args("size=18446744073709551615P"), "too large");
    only_error(parse_url_args("wl_queues=99999999999999999999999"),
               "URL argument wl_queues=99999999999999999999999: not a number");
    only_error(parse_url_args("wl_depth=4294967296"), "depth");
    only_error(parse_url_args("lesson=bring-up&step=4294967297"), "step=4294967297");
    only_error(parse_url_args("lesson=bring-up&step=-1"), "step=-1");
    // Repeated keys: the first applies, the others are named.
    a = parse_url_args("run=1&run=0&wl_queues=2&wl_queues=3&lesson=a&lesson=b&step=2&step=3");
    CHECK(a.run);
    REQUIRE(a.workload);
    CHECK(a.workload->queues == 2);
    CHECK(a.lesson == "a");
    CHECK(a.step == 2);
    REQUIRE(a.errors.size() == 4);
    CHECK(a.errors[0].find("URL argument run=0: 'run' is given more than once (the first one "
                           "applies)") != std::string::npos);
    CHECK(a.errors[1].find("wl_queues=3: 'wl_queues' is given more than once") !=
          std::string::npos);
    CHECK(a.errors[2].find("lesson=b: 'lesson' is given more than once") != std::string::npos);
    CHECK(a.errors[3].find("step=3: 'step' is given more than once") != std::string::npos);
    // exec= repeats by design, up to kMaxUrlExecLines lines; past it none runs.
    std::string many;
    for (size_t i = 0; i <= kMaxUrlExecLines; ++i)
        many += "exec=echo&";
    a = parse_url_args(many + "lbads=9");
    CHECK(a.exec.empty());
    only_error(a, "1001 console lines, more than the 1000 a link may run: none of them ran");
    CHECK(a.config.lbads == 9);
    // Very long strings: a query past kMaxUrlQueryBytes is refused whole; a long value is
    // named without being repeated.
    a = parse_url_args("lbads=9&exec=" + std::string(kMaxUrlQueryBytes, 'e'));
    CHECK_FALSE(a.has_device);
    CHECK(a.exec.empty());
    only_error(a, "the link's arguments are 65549 bytes, more than the 65536 the app reads");
    only_error(parse_url_args("serial=" + std::string(5000, 's')), "serial must be at most 20");
    only_error(parse_url_args(std::string(5000, 'k') + "=1"), "unknown URL argument 'kkkkkk");
    only_error(parse_url_args("exec=echo+" + std::string(kMaxJournalLineBytes, 'x')),
               "a console line of 4101 bytes, more than the 4096");
    // Percent escapes that decode to bytes that are not UTF-8 text, or to NUL.
    only_error(parse_url_args("exec=echo+%FF"), "exec: byte 0xFF at column 6 is not UTF-8");
    only_error(parse_url_args("lesson=%C3%28"), "lesson: byte 0xC3 at column 1 is not UTF-8");
    only_error(parse_url_args("model=a%00b"), "model: a NUL byte at column 2");
    only_error(parse_url_args("%FF=1"), "byte 0xFF at column 1 is not UTF-8");
    only_error(parse_url_args("exec=%E0%80%80"), "is not UTF-8"); // an overlong form
    only_error(parse_url_args("exec=%"), "a % escape is not two hex digits");
    only_error(parse_url_args("exec=%4"), "a % escape is not two hex digits");
    only_error(parse_url_args("exec=%G1"), "a % escape is not two hex digits");
}

TEST_CASE("the nesting bound counts brackets outside strings only") {
    // The bound is found by a scan of the text before parsing (core/util/bounded_json.h).
    const std::string brackets(100, '[');
    CHECK(parse_bounded_json(R"({"a":")" + brackets + R"("})")["a"] == brackets);
    CHECK(parse_bounded_json(R"({"a":"\")" + brackets + R"("})")["a"] == "\"" + brackets);
    const auto nested = [](int depth) {
        return std::string(static_cast<size_t>(depth), '[') +
               std::string(static_cast<size_t>(depth), ']');
    };
    CHECK(parse_bounded_json(nested(kMaxJsonDepth)).is_array());
    CHECK_THROWS_AS(parse_bounded_json(nested(kMaxJsonDepth + 1)), JsonTooDeep);
    CHECK_THROWS_AS(parse_bounded_json("[1,"), nlohmann::json::parse_error);
}

TEST_CASE("a session too long for a link is said so when its link is made") {
    Session s;
    must(s, "enable");
    CHECK(link_bound_error(share_query(s)).empty());
    for (size_t i = 0; i < kMaxUrlExecLines; ++i)
        must(s, "echo");
    // enable + 1000 lines: one past the bound, and parse_url_args would run none of them.
    const std::string q = share_query(s);
    CHECK(link_bound_error(q) ==
          "the link would run 1001 console lines, more than the 1000 a link may run");
    CHECK(parse_url_args(q).exec.empty());
    for (int i = 0; i < 20; ++i)
        must(s, "echo " + std::string(4000, 'x'));
    CHECK(link_bound_error(share_query(s)).find("bytes long, more than the 65536") !=
          std::string::npos);
}
