#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz_host_actions (tests/fuzz/fuzz_host_actions/seed-*).

Each seed is a byte stream decoded by tests/fuzz/host_actions.cpp: a device-variant byte, then
actions (kind byte, then the bytes that action reads). Run from anywhere; nvmelab_fuzz_replay
shows a seed as a console script."""
import os

ENABLE, QCREATE, QDELETE, DRVSHUT, ALLOC, PRPS, RAWCREATE = 10, 11, 12, 13, 14, 15, 16
REG, CCFIELD, BAR0, DOORBELL, SUBMIT, CQHEAD, STEP, RUNFOR, POWER = 0, 1, 2, 3, 4, 7, 8, 9, 17


def run_for_us(us):
    for scale_bits, scale in ((0, 1), (1, 10), (2, 100), (3, 1000)):
        if us % scale == 0 and 1 <= us // scale <= 64:
            return [RUNFOR, ((us // scale - 1) << 2) | scale_bits]
    raise ValueError(us)


def io_rw(opcode_index, slba, page, nlb0=0, fua=False):
    """An I/O SQE: opcode from kIoOpcodes, data at a page of buffer b0."""
    shape = 0x10 if fua else 0
    return [opcode_index, 0x00,  # opcode pick, flags (next CID, NSID 1)
            0x00, page,  # PRP1: page `page` of b0
            0x04,  # PRP2: 0
            shape, slba, nlb0,  # CDW10 (SLBA), CDW12 (NLB)
            0x00, 0x00]  # CDW14, CDW15


FLUSH = [0, 0x00, 0x04, 0x04, 0, 0, 0, 0, 0, 0]  # Flush (0x00), NSID 1, no PRPs, CDWs 0


def submit(mode, *sqes):
    out = [SUBMIT, mode]
    for s in sqes:
        out += s
    return out


SEEDS = {
    # Host-driver bring-up, an I/O queue pair, a write then a read of LBA 5, CQ heads.
    "seed-bringup-write-read": [0x00,
                                ENABLE, 0x00, 30,
                                QCREATE, 0x06, 14,
                                ALLOC, 1,
                                submit(0x01, io_rw(1, 5, 0)),  # write (0x01) on SQ 1
                                run_for_us(1000),
                                CQHEAD, 0x01, 1,
                                submit(0x01, io_rw(2, 5, 1)),  # read (0x02) into page 1
                                run_for_us(1000),
                                CQHEAD, 0x01, 1,
                                submit(0x01, FLUSH),
                                run_for_us(1000)],
    # Bring-up by registers (AQA, ASQ, ACQ, CC.EN), then a raw Identify Controller.
    "seed-registers-identify": [0x00,
                                ALLOC, 0, ALLOC, 0, ALLOC, 0,
                                REG, 7, 0x00, 7, 7,  # AQA 8/8 entries
                                REG, 8, 0x01, 0x00, 0,  # ASQ = b0
                                REG, 9, 0x01, 0x08, 0,  # ACQ = b1
                                REG, 4, 0x00,  # CC: EN=1, IOSQES 6, IOCQES 4
                                run_for_us(3000),
                                SUBMIT, 0x00,
                                5, 0x04, 0x10, 0, 0x04,  # Identify, NSID 0, PRP1 = b2
                                1, 1, 0, 0, 0, 0, 0,  # CDW10 = 1 (CNS controller), rest 0
                                run_for_us(100),
                                CQHEAD, 0x00, 1,
                                DOORBELL, 0x01 | (3 << 1), 0x05, 0x00,  # SQ 3 doorbell: no SQ
                                run_for_us(10)],
    # Raw Create I/O CQ + SQ, three writes, Delete SQ in flight, shutdown, power cut,
    # bring-up again, clean power-off.
    "seed-raw-queues-delete-powercut": [0x00,
                                        ENABLE, 0x00, 14,
                                        RAWCREATE, 0x06, 0, 15,
                                        run_for_us(100),
                                        CQHEAD, 0x00, 2,
                                        ALLOC, 3,
                                        submit(0x21, io_rw(1, 0, 0), io_rw(1, 8, 1, 3, True),
                                               io_rw(1, 16, 2)),
                                        STEP, 6,
                                        SUBMIT, 0x00,
                                        0, 0x00, 0x04, 0x04, 1, 1, 0, 0, 0, 0, 0,  # Delete SQ 1
                                        run_for_us(2000),
                                        CCFIELD, 2,  # CC.SHN = 01b
                                        run_for_us(1000),
                                        POWER, 0,  # power cut
                                        ENABLE, 0x00, 6,
                                        POWER, 1],  # clean power-off
    # Reset while commands are in flight, a bad CC, NSSR, invalid doorbells, 64-bit BAR0.
    "seed-reset-in-flight": [0x02,  # doorbell stride 8
                             ENABLE, 0x00, 14,
                             QCREATE, 0x02, 6,
                             ALLOC, 7,
                             submit(0x21, io_rw(2, 0, 0, 7), io_rw(1, 1, 2, 7), io_rw(2, 9, 4)),
                             STEP, 3,
                             CCFIELD, 0,  # CC.EN = 0 with commands in flight
                             DOORBELL, 0x01, 0x01, 0x00,  # SQ 0 doorbell while disabled
                             REG, 4, 0x03, 0x01, 0x00, 0x0f, 0x00,  # CC raw: bad IOCQES/CSS
                             run_for_us(3000),
                             BAR0, 0x03, 0x02, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,  # 64-bit doorbells
                             REG, 6, 0x01,  # NSSR "NVMe"
                             ENABLE, 0x81, 6,  # WRR
                             DRVSHUT, 1],
}


def flatten(items):
    for x in items:
        if isinstance(x, list):
            yield from flatten(x)
        else:
            yield x


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_host_actions")
for name, items in SEEDS.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(bytes(flatten(items)))
