// The register table (core/spec/register_table.*) against the spec: offsets, widths, and each
// register's fields covering exactly its defined bits (NVMe 1.3 §3.1), and against the device.
#include <cstdint>
#include <string>

#include "doctest/doctest.h"
#include "test_helpers.h"

#include "core/spec/register_table.h"

using namespace nvmelab;
using namespace nvmelab::spec;

namespace {

// Bits §3.1 defines in each register (everything else is reserved), written from the spec's
// figures independently of the table: the fields must cover exactly these, without overlap.
struct Defined {
    const char *name;
    uint32_t offset;
    bool wide;
    uint64_t bits;
};
constexpr Defined kDefined[] = {
    {"CAP", 0x00, true, 0x00FF3FFF'FF07FFFFull}, // 15:0, 16, 18:17, 31:24, 35:32, 36, 44:37,
                                                 // 45, 51:48, 55:52
    {"VS", 0x08, false, 0xFFFFFFFF},
    {"INTMS", 0x0C, false, 0xFFFFFFFF},
    {"INTMC", 0x10, false, 0xFFFFFFFF},
    {"CC", 0x14, false, 0x00FFFFF1},   // 3:1 and 31:24 reserved in 1.3
    {"CSTS", 0x1C, false, 0x0000003F}, // RDY CFS SHST NSSRO PP
    {"NSSR", 0x20, false, 0xFFFFFFFF},
    {"AQA", 0x24, false, 0x0FFF0FFF},
    {"ASQ", 0x28, true, 0xFFFFFFFF'FFFFF000ull},
    {"ACQ", 0x30, true, 0xFFFFFFFF'FFFFF000ull},
    {"CMBLOC", 0x38, false, 0xFFFFF007},
    {"CMBSZ", 0x3C, false, 0xFFFFFF1F},
    {"BPINFO", 0x40, false, 0x83007FFF},
    {"BPRSEL", 0x44, false, 0xBFFFFFFF},
    {"BPMBL", 0x48, true, 0xFFFFFFFF'FFFFF000ull},
};

} // namespace

TEST_SUITE("spec") {

    TEST_CASE("register table: every §3.1 register, in offset order, at its offset and width") {
        const auto regs = registers();
        REQUIRE(regs.size() == std::size(kDefined));
        for (size_t i = 0; i < regs.size(); ++i) {
            const std::string name = kDefined[i].name;
            CAPTURE(name);
            CHECK(regs[i].name == kDefined[i].name);
            CHECK(regs[i].offset == kDefined[i].offset);
            CHECK(regs[i].wide == kDefined[i].wide);
            CHECK(!regs[i].title.empty());
            CHECK(!regs[i].help.empty());
            CHECK(regs[i].section.starts_with("§3.1."));
            if (i > 0) CHECK(regs[i].offset >= regs[i - 1].offset + regs[i - 1].bits() / 8);
            CHECK(regs[i].offset + regs[i].bits() / 8 <= doorbells().base);
            CHECK(find_register(kDefined[i].name) == &regs[i]);
            CHECK(&register_info(regs[i].id()) == &regs[i]);
        }
        CHECK(find_register("cc") == nullptr); // names are as the spec spells them
        CHECK(find_register("nope") == nullptr);
    }

    TEST_CASE("register table: each register's fields cover its defined bits without overlap") {
        for (const Defined &d : kDefined) {
            const std::string name = d.name;
            CAPTURE(name);
            const RegisterInfo *r = find_register(d.name);
            REQUIRE(r != nullptr);
            REQUIRE(!r->fields.empty());
            uint64_t used = 0;
            for (const FieldInfo &f : r->fields) {
                const std::string field(f.name);
                CAPTURE(field);
                CHECK(f.hi >= f.lo);
                CHECK(f.hi < r->bits());
                CHECK((used & f.mask()) == 0);
                used |= f.mask();
                CHECK(!f.title.empty());
                CHECK(!f.help.empty());
                CHECK(f.section == r->section);
                CHECK(r->find_field(f.name) == &f);
            }
            CHECK(used == d.bits);
            // Only registers a host may write have fields it may write.
            bool host_writable_field = false;
            for (const FieldInfo &f : r->fields)
                host_writable_field = host_writable_field || f.access != Access::ReadOnly;
            CHECK(host_writable_field == r->writable);
        }
    }

    TEST_CASE("register table: field accessors agree with the spec views") {
        const RegisterInfo &cap = register_info(Reg::Cap);
        const CapReg c{0x0123'4567'89AB'CDEFull};
        CHECK(cap.find_field("MQES")->get(c.raw) == c.mqes());
        CHECK(cap.find_field("AMS")->get(c.raw) == c.ams());
        CHECK(cap.find_field("TO")->get(c.raw) == c.to());
        CHECK(cap.find_field("DSTRD")->get(c.raw) == c.dstrd());
        CHECK(cap.find_field("CSS")->get(c.raw) == c.css());
        CHECK(cap.find_field("MPSMAX")->get(c.raw) == c.mpsmax());
        const RegisterInfo &cc = register_info(Reg::Cc);
        CcReg v{0};
        v.raw = static_cast<uint32_t>(cc.find_field("SHN")->set(v.raw, 2));
        v.raw = static_cast<uint32_t>(cc.find_field("IOSQES")->set(v.raw, 6));
        CHECK(v.shn() == 2);
        CHECK(v.iosqes() == 6);
        CHECK(v.raw == CcReg{0}.set_shn(2).set_iosqes(6).raw);
        CHECK(cc.find_field("SHN")->set(0, 7) == 0xC000); // truncated to the field's width
        CHECK(std::string(access_name(register_info(Reg::Csts).find_field("NSSRO")->access)) ==
              "RW1C");
        CHECK(std::string(access_name(register_info(Reg::Intms).fields[0].access)) == "RW1S");
    }

    TEST_CASE("register table: reads and meanings on a running device") {
        test::TestDevice dev;
        dev.drv.enable();
        const RegisterInfo &cc = register_info(Reg::Cc);
        const uint64_t raw = read_register(dev.ctrl, cc);
        CHECK(raw == dev.ctrl.read32(0x14));
        CHECK(cc.find_field("EN")->get(raw) == 1);
        CHECK(field_meaning(cc, *cc.find_field("EN"), raw) == "enabled");
        CHECK(field_meaning(cc, *cc.find_field("MPS"), raw) == "4 KiB");
        CHECK(field_meaning(register_info(Reg::Aqa), register_info(Reg::Aqa).fields[0], 7) ==
              "8 entries");
        CHECK(field_meaning(register_info(Reg::Cap), *register_info(Reg::Cap).find_field("TO"),
                            uint64_t{20} << 24) == "10000 ms");
        const RegisterInfo &cap = register_info(Reg::Cap);
        CHECK(read_register(dev.ctrl, cap) == dev.ctrl.read64(0));
        CHECK(sq_tail_doorbell(1, 0) == doorbells().base + 8);
    }

} // TEST_SUITE("spec")
