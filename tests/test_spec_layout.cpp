#include "doctest/doctest.h"

#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"

#include <cstring>

using namespace nvmelab::spec;

TEST_SUITE_BEGIN("spec");

TEST_CASE("Status::field packs SC, SCT, M and DNR") {
    CHECK(generic(GenericStatus::InvalidField, true).field() == 0x4002);
    CHECK(generic(GenericStatus::LbaOutOfRange, true).field() == 0x4080);
    CHECK(command_specific(CommandSpecificStatus::InvalidQueueSize).field() == 0x0102);
    CHECK(command_specific(CommandSpecificStatus::InvalidProtectionInformation, true).field() ==
          0x4181);
    CHECK(media(MediaStatus::GuardCheckError).field() == 0x0282);
    CHECK(media(MediaStatus::DeallocatedOrUnwrittenBlock, true).field() == 0x4287);
    CHECK(generic(GenericStatus::InvalidOpcode).with_more().field() == 0x2001);
    CHECK(success().field() == 0);
    CHECK(success().ok());
    CHECK_FALSE(generic(GenericStatus::InvalidField).ok());
    CHECK_FALSE(command_specific(CommandSpecificStatus::CompletionQueueInvalid).ok());
}

TEST_CASE("Status::from_field round trips") {
    for (int raw : {0x0000, 0x4002, 0x4080, 0x0102, 0x2281, 0x6187, 0x070F, 0x0013}) {
        const auto f = static_cast<uint16_t>(raw);
        const Status s = Status::from_field(f);
        CHECK(s.field() == f);
    }
    const Status s = Status::from_field(0x6187);
    CHECK(s.sct == 1);
    CHECK(s.sc == 0x87);
    CHECK(s.more);
    CHECK(s.dnr);
}

TEST_CASE("Cqe status word carries phase in bit 0") {
    Cqe c{};
    c.set_status(command_specific(CommandSpecificStatus::InvalidQueueIdentifier, true), true);
    CHECK(c.status == ((0x4101 << 1) | 1));
    CHECK(c.phase());
    CHECK(c.sc() == 0x01);
    CHECK(c.sct() == 1);
    CHECK(c.dnr());
    CHECK_FALSE(c.m());
    CHECK(c.status_field() == 0x4101);
    c.set_phase(false);
    CHECK_FALSE(c.phase());
    CHECK(c.decoded_status() ==
          command_specific(CommandSpecificStatus::InvalidQueueIdentifier, true));
}

TEST_CASE("Sqe cdw() and set_cdw() match the named fields") {
    Sqe s{};
    s.opc = 0x02;
    s.flags = 0x41; // FUSE=1, PSDT=1
    s.cid = 0xBEEF;
    s.nsid = 7;
    s.mptr = 0x1122334455667788ull;
    s.prp1 = 0xAAAABBBBCCCCDDDDull;
    s.prp2 = 0x0123456789ABCDEFull;
    s.cdw10 = 10;
    s.cdw15 = 15;
    CHECK(s.cdw(0) == 0xBEEF4102u);
    CHECK(s.cdw(1) == 7);
    CHECK(s.cdw(4) == 0x55667788u);
    CHECK(s.cdw(5) == 0x11223344u);
    CHECK(s.cdw(6) == 0xCCCCDDDDu);
    CHECK(s.cdw(7) == 0xAAAABBBBu);
    CHECK(s.cdw(9) == 0x01234567u);
    CHECK(s.cdw(10) == 10);
    CHECK(s.cdw(15) == 15);
    CHECK(s.fuse() == 1);
    CHECK(s.psdt() == 1);

    s.set_cdw(0, 0x12348001u);
    CHECK(s.opc == 0x01);
    CHECK(s.flags == 0x80);
    CHECK(s.psdt() == 2);
    CHECK(s.fuse() == 0);
    CHECK(s.cid == 0x1234);
    s.set_cdw(12, 0xCAFEF00Du);
    CHECK(s.cdw12 == 0xCAFEF00Du);
    s.set_cdw(3, 0x5);
    CHECK(s.cdw3 == 5);

    s.set_psdt(0);
    s.set_fuse(2);
    CHECK(s.flags == 0x02);
}

TEST_CASE("CreateIoSq decode / apply") {
    Sqe s{};
    s.cdw10 = (63u << 16) | 3u;                // QSIZE 63, QID 3
    s.cdw11 = (2u << 16) | (0x2u << 1) | 0x1u; // CQID 2, QPRIO medium, PC
    auto f = CreateIoSqFields::decode(s);
    CHECK(f.qid == 3);
    CHECK(f.qsize == 63);
    CHECK(f.pc);
    CHECK(f.qprio == 2);
    CHECK(f.cqid == 2);

    Sqe t{};
    CreateIoSqFields{5, 255, false, 3, 9}.apply(t);
    CHECK(t.cdw10 == ((255u << 16) | 5u));
    CHECK(t.cdw11 == ((9u << 16) | (3u << 1)));
}

TEST_CASE("CreateIoCq decode / apply") {
    Sqe s{};
    s.cdw10 = (1023u << 16) | 1u;
    s.cdw11 = (4u << 16) | 0x3u;
    auto f = CreateIoCqFields::decode(s);
    CHECK(f.qid == 1);
    CHECK(f.qsize == 1023);
    CHECK(f.pc);
    CHECK(f.ien);
    CHECK(f.iv == 4);
    Sqe t{};
    f.apply(t);
    CHECK(t.cdw10 == s.cdw10);
    CHECK(t.cdw11 == s.cdw11);
}

TEST_CASE("ReadWrite decode of CDW10-15") {
    Sqe s{};
    s.cdw10 = 0x89ABCDEFu;
    s.cdw11 = 0x1u;
    s.cdw12 = (1u << 31) | (1u << 30) | (0x9u << 26) | (0x2u << 20) |
              7u; // LR FUA PRACT+reftag DTYPE=2 NLB=7
    s.cdw13 = (0x55u << 16) | 0x81u;
    s.cdw14 = 0x1234;
    s.cdw15 = (0xFF00u << 16) | 0xAB00u;
    auto f = ReadWriteFields::decode(s);
    CHECK(f.slba == 0x189ABCDEFull);
    CHECK(f.nlb == 7);
    CHECK(f.block_count() == 8);
    CHECK(f.lr);
    CHECK(f.fua);
    CHECK(f.prinfo == 0x9);
    CHECK(f.pract());
    CHECK(f.prchk_reftag());
    CHECK_FALSE(f.prchk_guard());
    CHECK(f.dtype == 2);
    CHECK_FALSE(f.deac);
    CHECK(f.dsm == 0x81);
    CHECK(f.dspec == 0x55);
    CHECK(f.reftag == 0x1234);
    CHECK(f.apptag == 0xAB00);
    CHECK(f.appmask == 0xFF00);

    Sqe t{};
    f.apply(t);
    for (int i = 10; i <= 15; ++i)
        CHECK(t.cdw(i) == s.cdw(i));

    s.cdw12 = 0x0000FFFFu;
    auto g = ReadWriteFields::decode(s);
    CHECK(g.nlb == 0xFFFF);
    CHECK(g.block_count() == 65536);
    CHECK_FALSE(g.fua);
    CHECK_FALSE(g.lr);
}

TEST_CASE("GetLogPage combines NUMDU/NUMDL and LPOU/LPOL") {
    Sqe s{};
    s.cdw10 = (0x0001u << 16) | 0x8000u | (0x1u << 8) | 0x02u; // NUMDL 1, RAE, LSP 1, LID 2
    s.cdw11 = 0x0002u;                                         // NUMDU 2
    s.cdw12 = 0x200;
    s.cdw13 = 0x1;
    auto f = GetLogPageFields::decode(s);
    CHECK(f.lid == 2);
    CHECK(f.lsp == 1);
    CHECK(f.rae);
    CHECK(f.numdl == 1);
    CHECK(f.numdu == 2);
    CHECK(f.numd() == 0x20001u);
    CHECK(f.length_bytes() == 0x20002u * 4);
    CHECK(f.offset() == 0x100000200ull);

    GetLogPageFields h{};
    h.lid = static_cast<uint8_t>(LogId::SmartHealth);
    h.set_length_bytes(512);
    h.set_offset(0);
    CHECK(h.numd() == 127);
    Sqe t{};
    h.apply(t);
    CHECK(t.cdw10 == ((127u << 16) | 0x02u));
    CHECK(t.cdw11 == 0);
}

TEST_CASE("Feature value views round trip") {
    auto nq = NumberOfQueuesFeature::decode(0x000F0007u);
    CHECK(nq.nsqr == 7);
    CHECK(nq.ncqr == 15);
    CHECK(nq.encode() == 0x000F0007u);

    auto arb = ArbitrationFeature::decode(0x04030207u);
    CHECK(arb.ab == 7);
    CHECK(arb.lpw == 2);
    CHECK(arb.mpw == 3);
    CHECK(arb.hpw == 4);
    CHECK(arb.encode() == 0x04030207u);

    auto tt = TemperatureThresholdFeature::decode((1u << 20) | (0xFu << 16) | 273u);
    CHECK(tt.tmpth == 273);
    CHECK(tt.tmpsel == 0xF);
    CHECK(tt.thsel == 1);
    CHECK(tt.encode() == ((1u << 20) | (0xFu << 16) | 273u));

    CHECK(ErrorRecoveryFeature{5, true}.encode() == 0x10005u);
    CHECK(InterruptVectorConfigFeature::decode(0x10003u).cd);
    CHECK(InterruptCoalescingFeature{3, 10}.encode() == 0x0A03u);
    CHECK(PowerManagementFeature::decode(0xE3u).ps == 3);
    CHECK(PowerManagementFeature::decode(0xE3u).wh == 7);
    auto aec = AsyncEventConfigFeature::decode(0x51Fu);
    CHECK(aec.smart_warnings == 0x1F);
    CHECK(aec.ns_attr);
    CHECK_FALSE(aec.fw_activation);
    CHECK(aec.telemetry);
    CHECK(aec.encode() == 0x51Fu);
}

TEST_CASE("Identify / Features command field views") {
    Sqe s{};
    IdentifyFields{static_cast<uint8_t>(Cns::AllControllers), 0x22}.apply(s);
    CHECK(s.cdw10 == 0x00220013u);
    CHECK(IdentifyFields::decode(s).cns == 0x13);
    SetFeaturesFields{0x07, true}.apply(s);
    CHECK(s.cdw10 == 0x80000007u);
    CHECK(SetFeaturesFields::decode(s).sv);
    s.cdw10 = 0x0000030Bu;
    auto g = GetFeaturesFields::decode(s);
    CHECK(g.fid == 0x0B);
    CHECK(g.sel == 3);
}

TEST_CASE("CapReg getters and setters round trip") {
    CapReg cap{};
    cap.set_mqes(2047)
        .set_cqr(true)
        .set_ams(1)
        .set_to(20)
        .set_dstrd(0)
        .set_nssrs(true)
        .set_css(1)
        .set_bps(false);
    cap.set_mpsmin(0).set_mpsmax(4);
    CHECK(cap.mqes() == 2047);
    CHECK(cap.cqr());
    CHECK(cap.ams() == 1);
    CHECK(cap.to() == 20);
    CHECK(cap.dstrd() == 0);
    CHECK(cap.nssrs());
    CHECK(cap.css() == 1);
    CHECK_FALSE(cap.bps());
    CHECK(cap.mpsmin() == 0);
    CHECK(cap.mpsmax() == 4);
    CHECK(cap.raw == (2047ull | (1ull << 16) | (1ull << 17) | (20ull << 24) | (1ull << 36) |
                      (1ull << 37) | (4ull << 52)));
    cap.set_dstrd(3);
    CHECK(cap.dstrd() == 3);
    CHECK(cap.nssrs()); // neighbouring bit untouched
    cap.set_cqr(false);
    CHECK_FALSE(cap.cqr());
    CHECK(cap.mqes() == 2047);

    CcReg cc{};
    cc.set_en(true).set_iosqes(6).set_iocqes(4).set_shn(static_cast<uint8_t>(Shn::Normal));
    CHECK(cc.raw == 0x00464001u);
    CHECK((0xFFFFFFFFu & CcReg::writable_mask()) == 0x00FFFFF1u);

    AqaReg aqa{};
    aqa.set_asqs(31).set_acqs(4095);
    CHECK(aqa.raw == 0x0FFF001Fu);

    CHECK(sq_tail_doorbell(1, 0) == 0x1008);
    CHECK(cq_head_doorbell(1, 0) == 0x100C);
    CHECK(cq_head_doorbell(0, 1) == 0x1008);
}

TEST_CASE("128-bit counters and ASCII fields") {
    SmartLog log{};
    put_u128(log.data_units_read, 0x0102030405060708ull);
    CHECK(log.data_units_read[0] == 0x08);
    CHECK(log.data_units_read[7] == 0x01);
    CHECK(log.data_units_read[8] == 0);
    CHECK(get_u128_low(log.data_units_read) == 0x0102030405060708ull);
    log.set_composite_temp(310);
    CHECK(log.composite_temperature[0] == (310 & 0xFF));
    CHECK(log.composite_temp() == 310);

    IdentifyController id{};
    put_ascii(id.sn, sizeof(id.sn), "NVMELAB01");
    CHECK(std::memcmp(id.sn, "NVMELAB01           ", 20) == 0);
    put_ascii(id.fr, sizeof(id.fr), "1.0-toolong");
    CHECK(std::memcmp(id.fr, "1.0-tool", 8) == 0);
}

TEST_CASE("status_name and status_description") {
    CHECK(status_name(0, 0x00) == "Successful Completion");
    CHECK(status_name(0, 0x01) == "Invalid Command Opcode");
    CHECK(status_name(0, 0x02) == "Invalid Field in Command");
    CHECK(status_name(0, 0x0B) == "Invalid Namespace or Format");
    CHECK(status_name(0, 0x13) == "PRP Offset Invalid");
    CHECK(status_name(0, 0x04) == "Data Transfer Error");
    CHECK(status_name(0, 0x80) == "LBA Out of Range");
    CHECK(status_name(1, 0x01) == "Invalid Queue Identifier");
    CHECK(status_name(1, 0x02) == "Invalid Queue Size");
    CHECK(status_name(1, 0x81) == "Invalid Protection Information");
    CHECK(status_name(2, 0x82) == "End-to-end Guard Check Error");
    CHECK(status_name(media(MediaStatus::DeallocatedOrUnwrittenBlock)) ==
          "Deallocated or Unwritten Logical Block");
    CHECK(status_name(0, 0x17) == "Unknown");
    CHECK(status_name(1, 0x04) == "Unknown");
    CHECK(status_name(2, 0x00) == "Unknown");
    CHECK(status_name(3, 0x00) == "Unknown");
    CHECK(status_description(1, 0x02).find("MQES") != std::string_view::npos);
    CHECK(status_description(0, 0x17).empty());
    CHECK_FALSE(status_description(0, 0x02).empty());

    CHECK(admin_opcode_name(0x05) == "Create I/O Completion Queue");
    CHECK(admin_opcode_name(0x03).empty());
    CHECK(nvm_opcode_name(0x08) == "Write Zeroes");
    CHECK(feature_name(0x07) == "Number of Queues");
    CHECK(log_page_name(0x02) == "SMART / Health Information");
    CHECK(log_page_name(0x09).empty());
}

TEST_CASE("every status code in the enums has a name") {
    for (unsigned sc = 0; sc < 256; ++sc) {
        // Generic: 00h-16h, 18h-1Eh, 80h-84h are defined in 1.3.
        const bool gdef = (sc <= 0x16) || (sc >= 0x18 && sc <= 0x1E) || (sc >= 0x80 && sc <= 0x84);
        CHECK((status_name(0, static_cast<uint8_t>(sc)) != "Unknown") == gdef);
        const bool cdef = (sc <= 0x22 && sc != 0x04 && sc != 0x17) || (sc >= 0x80 && sc <= 0x82);
        CHECK((status_name(1, static_cast<uint8_t>(sc)) != "Unknown") == cdef);
        // ... and the OCSSD 2.0 codes in the vendor-specific range (ocssd_spec.h).
        const bool mdef = (sc >= 0x80 && sc <= 0x87) || sc == 0xC0 || sc == 0xC1 || sc == 0xD0 ||
                          (sc >= 0xF0 && sc <= 0xF2);
        CHECK((status_name(2, static_cast<uint8_t>(sc)) != "Unknown") == mdef);
        if (gdef) CHECK_FALSE(status_description(0, static_cast<uint8_t>(sc)).empty());
        if (cdef) CHECK_FALSE(status_description(1, static_cast<uint8_t>(sc)).empty());
        if (mdef) CHECK_FALSE(status_description(2, static_cast<uint8_t>(sc)).empty());
    }
}

TEST_SUITE_END();
