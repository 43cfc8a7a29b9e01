# End-to-end tests of the `nvmelab` command line. Run as
#   cmake -DNVMELAB=<path to nvmelab> -DWORK=<scratch directory> -P tests/cli/cli_tests.cmake
# Any mismatch stops the script with FATAL_ERROR (a non-zero exit for ctest).
cmake_minimum_required(VERSION 3.25)

if(NOT NVMELAB OR NOT EXISTS "${NVMELAB}")
    message(FATAL_ERROR "pass -DNVMELAB=<path to the nvmelab binary> (got '${NVMELAB}')")
endif()
if(NOT WORK)
    message(FATAL_ERROR "pass -DWORK=<scratch directory>")
endif()

set(DIR "${WORK}/cli_tests")
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
set(IMG "${DIR}/dev.img")

# nv(args...): runs nvmelab; sets RC, OUT and ERR. Extra keywords:
#   INPUT <file>  feed the file on stdin.
function(nv)
    cmake_parse_arguments(NV "" "INPUT" "" ${ARGN})
    set(input_args)
    if(NV_INPUT)
        set(input_args INPUT_FILE "${NV_INPUT}")
    endif()
    execute_process(COMMAND "${NVMELAB}" ${NV_UNPARSED_ARGUMENTS}
                    ${input_args}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                    TIMEOUT 120)
    set(RC "${rc}" PARENT_SCOPE)
    set(OUT "${out}" PARENT_SCOPE)
    set(ERR "${err}" PARENT_SCOPE)
endfunction()

function(fail what)
    message(FATAL_ERROR "FAIL: ${what}\n  exit code: ${RC}\n  stdout:\n${OUT}\n  stderr:\n${ERR}")
endfunction()

# expect_ok(what): the last command exited 0.
function(expect_ok what)
    if(NOT RC EQUAL 0)
        fail("${what}: expected exit code 0")
    endif()
endfunction()

# expect_error(what): the last command exited non-zero (and did not crash).
function(expect_error what)
    if(RC EQUAL 0)
        fail("${what}: expected a non-zero exit code")
    endif()
    if(NOT RC MATCHES "^[0-9]+$")
        fail("${what}: the process did not exit normally")
    endif()
endfunction()

function(expect_contains what haystack needle)
    string(FIND "${haystack}" "${needle}" pos)
    if(pos EQUAL -1)
        fail("${what}: expected to find '${needle}'")
    endif()
endfunction()

function(expect_same_file what a b)
    execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${a}" "${b}"
                    RESULT_VARIABLE same)
    if(NOT same EQUAL 0)
        file(READ "${a}" ca HEX)
        file(READ "${b}" cb HEX)
        fail("${what}: files differ\n  ${a}: ${ca}\n  ${b}: ${cb}")
    endif()
endfunction()

# ---- version and help --------------------------------------------------------------------

nv(--version)
expect_ok("--version")
expect_contains("--version" "${OUT}" "nvmelab")

nv(--help)
expect_ok("--help")
foreach(cmd create id-ctrl id-ns list-ns show-regs get-log smart-log error-log fw-log effects-log
        get-feature set-feature read write flush admin-passthru io-passthru exec demo)
    expect_contains("--help lists ${cmd}" "${OUT}" "${cmd}")
endforeach()

# ---- create ------------------------------------------------------------------------------

nv(create "${IMG}" --size 64M --mdts 6 --serial CLITEST01 --property cache_blocks=1024)
expect_ok("create")
if(NOT EXISTS "${IMG}")
    fail("create: no image file")
endif()

nv(create "${IMG}" --size 64M)
expect_error("create over an existing image without --force")

nv(create "${DIR}/x.img" --size 64M --mdts 5 --property mdts=1)
expect_error("create with a property given twice")
expect_contains("the repeated property is named" "${ERR}" "'mdts' is given more than once")
nv(create "${DIR}/x.img" --size 64M --property lbads=9 --lbads 12)
expect_error("create with --property lbads and --lbads")
expect_contains("a flag repeating a property is named" "${ERR}" "'lbads' is given more than once")
nv(create "${DIR}/x.img" --size 1E)
expect_error("create with an unknown size unit")
expect_contains("the size units are listed" "${ERR}"
                "size '1E' is not a size: give bytes (4096, 0x1000) or a number with a binary unit K, M, G, T or P")
# An OCSSD 2.0 device (docs/ocssd.md): the geometry as flags, no --size, rules named.
set(OCIMG "${DIR}/oc.img")
nv(create "${OCIMG}" --type ocssd --num-grp 2 --num-pu 2 --num-chk 4 --clba 32 --ws-min 4
   --ws-opt 8 --mw-cunits 8)
expect_ok("create --type ocssd")
expect_contains("create --type ocssd names the geometry" "${OUT}"
                "OCSSD 2.0 namespace of 2 groups x 2 PUs x 4 chunks x 32 blocks x 4096 bytes")
nv(create "${DIR}/oc2.img" --type ocssd --size 1G)
expect_error("create --type ocssd --size")
expect_contains("--size is refused for an OCSSD device" "${ERR}"
                "--size does not apply to an OCSSD device")
nv(create "${DIR}/oc3.img" --type ocssd --clba 30)
expect_error("create --type ocssd with WS_MIN not dividing CLBA")
expect_contains("the broken rule is named" "${ERR}" "ws_min (4) must divide clba (30)")
nv(create "${DIR}/oc4.img")
expect_error("create without --size")
expect_contains("--size is required for an NVM device" "${ERR}" "--size is required")
nv(id-ns "${OCIMG}" -o json)
expect_ok("id-ns on an OCSSD image")
expect_contains("id-ns: NSZE is the 2^9 address space" "${OUT}" "512")
nv(get-log "${OCIMG}" -i 0xca -l 64 -n 1)
expect_ok("get-log CAh (Chunk Information) on an OCSSD image")

# One number rule (nvme-cli's): 0x hex, a leading 0 octal. -s 010 is block 8.
nv(read "${IMG}" -s 010 -z 16 -d "${DIR}/octal.bin")
expect_ok("read -s 010")
nv(read "${IMG}" -s 8 -z 16 -d "${DIR}/eight.bin")
expect_same_file("-s 010 reads block 8" "${DIR}/eight.bin" "${DIR}/octal.bin")
nv(read "${IMG}" -s 09 -z 16)
expect_error("read -s 09")
expect_contains("-s 09 names the rule" "${ERR}"
                "'09' is not a number: a leading 0 means octal (as in nvme-cli), so 8 and 9 are not digits")
nv(read "${IMG}" -s 0 -c 09)
expect_error("read -c 09")
expect_contains("-c 09 names the rule" "${ERR}" "a leading 0 means octal")
nv(create "${DIR}/x.img" --size 64M --mdts 09)
expect_error("create --mdts 09")
expect_contains("--mdts 09 names the rule" "${ERR}" "a leading 0 means octal")
nv(read "${IMG}" -s 0xffffffffffffffff -c 1)
expect_error("read at SLBA 2^64 - 1")
expect_contains("a huge SLBA is named without a wrapped sum" "${ERR}"
                "SLBA 18446744073709551615 is past the namespace's last LBA 16383 (NSZE 16384)")
nv(create "${DIR}/x.img" --size 64M --property no_such_property=1)
expect_error("create with an unknown property")
expect_contains("unknown property message" "${ERR}" "no_such_property")

nv(create "${DIR}/x.img" --size 1000)
expect_error("create with a size that is not a multiple of the LBA size")
expect_contains("bad size message" "${ERR}" "size")

# ---- id-ctrl / id-ns JSON ----------------------------------------------------------------

nv(id-ctrl "${IMG}" -o json)
expect_ok("id-ctrl -o json")
string(JSON mdts ERROR_VARIABLE jerr GET "${OUT}" mdts)
if(jerr OR NOT mdts EQUAL 6)
    fail("id-ctrl -o json: mdts should be 6 (got '${mdts}' ${jerr})")
endif()
string(JSON sn ERROR_VARIABLE jerr GET "${OUT}" sn)
if(jerr OR NOT sn STREQUAL "CLITEST01")
    fail("id-ctrl -o json: sn should be CLITEST01 without padding (got '${sn}' ${jerr})")
endif()
string(JSON npsd ERROR_VARIABLE jerr LENGTH "${OUT}" psds)
if(jerr OR npsd LESS 1)
    fail("id-ctrl -o json: psds should be a non-empty array")
endif()

nv(id-ctrl "${IMG}")
expect_ok("id-ctrl")
expect_contains("id-ctrl normal output" "${OUT}" "CLITEST01")

nv(id-ctrl "${IMG}" -o binary)
expect_ok("id-ctrl -o binary")
expect_contains("id-ctrl -o binary has the serial" "${OUT}" "CLITEST01")

nv(id-ns "${IMG}" -o json)
expect_ok("id-ns -o json")
string(JSON nsze GET "${OUT}" nsze)
if(NOT nsze EQUAL 16384)
    fail("id-ns -o json: nsze should be 16384 blocks (64 MiB / 4 KiB), got ${nsze}")
endif()
# The format in use (FLBAS bits 3:0) is 4 KiB: format 4 of the eight (0-3 are 512-byte blocks).
string(JSON flbas GET "${OUT}" flbas)
string(JSON nlbaf GET "${OUT}" nlbaf)
string(JSON ds GET "${OUT}" lbafs ${flbas} ds)
string(JSON nformats LENGTH "${OUT}" lbafs)
if(NOT ds EQUAL 12 OR NOT flbas EQUAL 4 OR NOT nlbaf EQUAL 7 OR NOT nformats EQUAL 8)
    fail("id-ns -o json: expected 8 formats, format 4 (ds 12) in use; got nlbaf ${nlbaf}, flbas ${flbas}, ds ${ds}")
endif()
string(JSON ms GET "${OUT}" lbafs 7 ms)
if(NOT ms EQUAL 64)
    fail("id-ns -o json: lbafs[7].ms should be 64, got ${ms}")
endif()

# ---- write, read back --------------------------------------------------------------------

set(DATA "${DIR}/data.txt")
file(WRITE "${DATA}" "The quick brown fox jumps over the lazy dog. nvmelab CLI test block 1.\n")
file(SIZE "${DATA}" data_size)

nv(write "${IMG}" -s 3 -d "${DATA}")
expect_ok("write -d FILE")

nv(read "${IMG}" -s 3 -z ${data_size} -d "${DIR}/back.txt")
expect_ok("read -d FILE")
expect_same_file("read back what write wrote" "${DATA}" "${DIR}/back.txt")

# Data on stdin / stdout.
nv(write "${IMG}" -s 4 -c 0 INPUT "${DATA}")
expect_ok("write from stdin")
nv(read "${IMG}" -s 4 -z ${data_size})
expect_ok("read to stdout")
file(READ "${DATA}" data_text)
if(NOT OUT STREQUAL data_text)
    fail("read to stdout: expected the written text")
endif()

# ---- SGLs: --sgl and --sgl-segments --------------------------------------------------------

# A 3-block write through a chain of 3 segments, read back through one Data Block and through
# PRPs: the same bytes, and the trace shows the segment reads and the descriptor's one DMA.
string(REPEAT "SGL chain test data, 48 bytes long, for nvmelab!" 256 sgl_text)
file(WRITE "${DIR}/sgl.bin" "${sgl_text}")
file(SIZE "${DIR}/sgl.bin" sgl_size)
nv(write "${IMG}" -s 20 -d "${DIR}/sgl.bin" --sgl-segments 3 --trace)
expect_ok("write --sgl-segments 3")
string(REGEX MATCHALL "sgl-segment" sgl_reads "${ERR}${OUT}")
list(LENGTH sgl_reads sgl_read_count)
if(NOT sgl_read_count EQUAL 3)
    fail("write --sgl-segments 3 --trace: expected 3 sgl-segment events, got ${sgl_read_count}")
endif()
nv(read "${IMG}" -s 20 -z ${sgl_size} -d "${DIR}/sgl-back.bin" --sgl --trace)
expect_ok("read --sgl")
expect_same_file("read --sgl gives what write --sgl-segments wrote" "${DIR}/sgl.bin"
                 "${DIR}/sgl-back.bin")
expect_contains("read --sgl --trace: one DMA of the whole buffer" "${ERR}${OUT}"
                "len=${sgl_size}")
if("${ERR}${OUT}" MATCHES "sgl-segment")
    fail("read --sgl (one Data Block): no segment should be read")
endif()
nv(read "${IMG}" -s 20 -z ${sgl_size} -d "${DIR}/prp-back.bin")
expect_ok("read with PRPs after an SGL write")
expect_same_file("PRP read of the SGL write" "${DIR}/sgl.bin" "${DIR}/prp-back.bin")
nv(read "${IMG}" -s 20 -z ${sgl_size} -d "${DIR}/sgl-back2.bin" --sgl-segments 5)
expect_ok("read --sgl-segments 5")
expect_same_file("read --sgl-segments 5" "${DIR}/sgl.bin" "${DIR}/sgl-back2.bin")
nv(read "${IMG}" -s 20 --sgl-segments 0)
expect_error("--sgl-segments 0")
expect_contains("--sgl-segments 0 is refused by name" "${ERR}" "--sgl-segments")

# ---- end-to-end protection: -p/--prinfo, -r/--ref-tag, -a/--app-tag, -m/--app-tag-mask -------

# A namespace of 512-byte blocks with 8 bytes of metadata, PI type 1 in its first 8 bytes. With
# PRACT (-p 8) the host sends and receives data only: the controller generates and strips the PI.
set(PIIMG "${DIR}/pi.img")
nv(create "${PIIMG}" --size 16M --lbads 9 --property ms=8 --property pi=1 --property pil=1)
expect_ok("create a PI type 1 image")
string(REPEAT "protected block " 32 pi_text)
file(WRITE "${DIR}/pi.bin" "${pi_text}")
nv(write "${PIIMG}" -s 7 -c 0 -d "${DIR}/pi.bin" -p 8 -r 7 -a 4660)
expect_ok("write -p 8 (PRACT) -r 7 -a 4660")
nv(read "${PIIMG}" -s 7 -c 0 -d "${DIR}/pi-back.bin" -p 15 -r 7 -a 4660 -m 65535)
expect_ok("read -p 15: PRACT and every check")
expect_same_file("read -p 15 returns the data without its PI" "${DIR}/pi.bin" "${DIR}/pi-back.bin")
nv(read "${PIIMG}" -s 7 -c 0 -d "${DIR}/pi-bad.bin" -p 10 -r 7 -a 17185 -m 65535)
expect_error("read -p 10 with another application tag")
expect_contains("the application tag check fails" "${OUT}${ERR}" "Application Tag Check Error")
nv(read "${PIIMG}" -s 7 -c 0 -d "${DIR}/pi-bad.bin" -p 10 -r 7 -a 17185 -m 255)
expect_error("read -p 10 -m 255: 0x4321 and 0x1234 differ in the low byte")
nv(read "${PIIMG}" -s 7 -c 0 -d "${DIR}/pi-bad.bin" -p 10 -r 7 -a 4916 -m 255)
expect_ok("read -p 10 -a 0x1334 -m 0xff: only the low byte is compared")
nv(read "${PIIMG}" -s 7 -c 0 -d "${DIR}/pi-bad.bin" -p 9 -r 8)
expect_error("read -p 9 -r 8: type 1 ref tag must be the SLBA")
expect_contains("Invalid Protection Information" "${OUT}${ERR}" "Invalid Protection Information")
nv(read "${IMG}" -s 3 -c 0 -d "${DIR}/plain.bin" -p 4)
expect_error("read -p 4 on a namespace without PI")
expect_contains("PRINFO without PI" "${OUT}${ERR}" "Invalid Protection Information")

# ---- power cut ---------------------------------------------------------------------------

file(WRITE "${DIR}/x.txt" "XXXXXXXX")
file(WRITE "${DIR}/y.txt" "YYYYYYYY")
file(WRITE "${DIR}/z.txt" "ZZZZZZZZ")

# X reaches the image: the clean shutdown at the end of the command writes the cache back.
nv(write "${IMG}" -s 10 -d "${DIR}/x.txt")
expect_ok("write X")
# Y stays in the volatile write cache (vwc is on) and the power cut loses it.
nv(write "${IMG}" -s 10 -d "${DIR}/y.txt" --power-cut)
expect_ok("write Y --power-cut")
expect_contains("--power-cut says so on stderr" "${ERR}" "power cut")
nv(read "${IMG}" -s 10 -z 8 -d "${DIR}/after_cut.txt")
expect_ok("read after the power cut")
expect_same_file("a cached write is lost in a power cut, the earlier one survives"
                 "${DIR}/x.txt" "${DIR}/after_cut.txt")

# A Force Unit Access write goes to the media at once and survives the power cut.
nv(write "${IMG}" -s 10 -d "${DIR}/z.txt" --force-unit-access --power-cut)
expect_ok("write Z --force-unit-access --power-cut")
nv(read "${IMG}" -s 10 -z 8 -d "${DIR}/after_fua.txt")
expect_ok("read after the FUA write")
expect_same_file("a FUA write survives a power cut" "${DIR}/z.txt" "${DIR}/after_fua.txt")

nv(smart-log "${IMG}" -o json)
expect_ok("smart-log -o json")
string(JSON unsafe GET "${OUT}" unsafe_shutdowns)
if(unsafe LESS 2)
    fail("smart-log: unsafe_shutdowns should count the two power cuts, got ${unsafe}")
endif()
# Counters persist at a clean shutdown only: the writes of the power-cut runs are not counted.
string(JSON writes GET "${OUT}" host_write_commands)
if(writes LESS 3)
    fail("smart-log: host_write_commands should be at least 3, got ${writes}")
endif()

# ---- numbers and commands that are not what they look like --------------------------------

nv(read "${IMG}" -s -1 -z 512)
expect_error("a negative SLBA")
expect_contains("a negative number is named" "${ERR}" "'-1' is negative")
nv(read "${IMG}" -s 18446744073709551616 -z 512)
expect_error("an SLBA past 2^64 - 1")
expect_contains("an overflowing number is named" "${ERR}" "larger than 2^64 - 1")
nv(read "${IMG}" -z 18446744073709551615 -d "${DIR}/huge.bin")
expect_error("a data size that used to wrap to one block")
expect_contains("the huge size is refused" "${ERR}" "do not fit one command")
nv(write "${IMG}" -s 1 -d "${DIR}")
expect_error("write with a directory as its data file")
expect_contains("the directory is named" "${ERR}" "is a directory")
nv(bogus)
expect_error("an unknown command")
expect_contains("the unknown command is named" "${ERR}" "unknown command 'bogus'")
nv(lesson bogus)
expect_error("an unknown lesson command")
expect_contains("the unknown lesson command is named" "${ERR}"
                "nvmelab lesson: unknown command 'bogus'")

# ---- NVMe errors -------------------------------------------------------------------------

nv(read "${IMG}" -s 16384)
expect_error("read beyond the end of the namespace")
expect_contains("LBA Out of Range status line" "${ERR}" "NVMe status: LBA Out of Range")
# Status field 0x6080 = DNR (0x4000) | More (0x2000, the core sets it on every error it logs)
# | SCT 0 | SC 80h.
expect_contains("status field in hex" "${ERR}" "(0x6080)")
expect_contains("controller explanation" "${ERR}" "NSZE")

nv(id-ns "${IMG}" -n 7 -o json)
expect_error("id-ns of a namespace that does not exist")
expect_contains("Invalid Namespace status line" "${ERR}" "NVMe status: Invalid Namespace or Format")
string(JSON name ERROR_VARIABLE jerr GET "${OUT}" name)
if(jerr OR NOT name STREQUAL "Invalid Namespace or Format")
    fail("-o json error object: name should be 'Invalid Namespace or Format' (${jerr})")
endif()
string(JSON field ERROR_VARIABLE jerr GET "${OUT}" field)
if(jerr OR NOT field STREQUAL "NSID")
    fail("-o json error object: field should be NSID (${jerr})")
endif()

nv(error-log "${IMG}" -e 2 -o json)
expect_ok("error-log -o json")
string(JSON sf GET "${OUT}" errors 0 status_field)
math(EXPR sf_hex "${sf}" OUTPUT_FORMAT HEXADECIMAL)
if(NOT sf_hex STREQUAL "0x600b")
    fail("error-log: newest entry should be Invalid Namespace (0x600b), got ${sf_hex}")
endif()

# ---- wrong flags and values (CLI11's own messages and exit codes) ------------------------

nv(id-ctrl "${IMG}" --no-such-flag)
expect_error("unknown flag")
nv(read "${IMG}" -c 70000)
expect_error("block count out of range")
nv(id-ctrl "${IMG}" -o yaml)
expect_error("unknown output format")
nv(no-such-command)
expect_error("unknown command")
nv()
expect_error("no command")

# ---- bad images --------------------------------------------------------------------------

nv(id-ctrl "${DIR}/does-not-exist.img")
expect_error("image that does not exist")
expect_contains("missing image message" "${ERR}" "does-not-exist.img")

string(RANDOM LENGTH 5000 junk)
file(WRITE "${DIR}/junk.img" "${junk}")
file(SHA256 "${DIR}/junk.img" junk_before)
nv(id-ctrl "${DIR}/junk.img")
expect_error("a random file as the image")
expect_contains("bad image message names the magic" "${ERR}" "magic")
file(SHA256 "${DIR}/junk.img" junk_after)
if(NOT junk_before STREQUAL junk_after)
    fail("a rejected image must not be modified")
endif()
nv(write "${DIR}/junk.img" -s 0 -d "${DATA}")
expect_error("write to a random file")
file(SHA256 "${DIR}/junk.img" junk_after)
if(NOT junk_before STREQUAL junk_after)
    fail("a rejected image must not be modified by write")
endif()

# ---- a 1 TiB image stays small on disk ---------------------------------------------------

set(BIG "${DIR}/big.img")
nv(create "${BIG}" --size 1T)
expect_ok("create 1 TiB")
nv(write "${BIG}" -s 268435455 -d "${DATA}")
expect_ok("write the last block of 1 TiB")
nv(read "${BIG}" -s 268435455 -z ${data_size} -d "${DIR}/big_back.txt")
expect_ok("read the last block of 1 TiB")
expect_same_file("1 TiB image: last block reads back" "${DATA}" "${DIR}/big_back.txt")
file(SIZE "${BIG}" big_size)
if(big_size LESS 1099511627776)
    fail("1 TiB image: apparent size ${big_size} is below 1 TiB")
endif()
execute_process(COMMAND du -k "${BIG}" OUTPUT_VARIABLE du_out RESULT_VARIABLE du_rc)
if(NOT du_rc EQUAL 0)
    fail("du -k failed")
endif()
string(REGEX MATCH "^[0-9]+" big_kib "${du_out}")
if(big_kib GREATER 16384)
    fail("1 TiB image takes ${big_kib} KiB on disk; it should be sparse (< 16 MiB)")
endif()

# ---- other commands ----------------------------------------------------------------------

nv(list-ns "${IMG}" -o json)
expect_ok("list-ns -o json")
string(JSON nsid GET "${OUT}" nsid_list 0 nsid)
if(NOT nsid EQUAL 1)
    fail("list-ns: expected namespace 1")
endif()

nv(show-regs "${IMG}" -o json)
expect_ok("show-regs -o json")
string(JSON csts GET "${OUT}" csts)
if(NOT csts EQUAL 1)
    fail("show-regs: CSTS should be 1 (ready) while the command runs, got ${csts}")
endif()

nv(fw-log "${IMG}" -o json)
expect_ok("fw-log -o json")
string(JSON afi GET "${OUT}" afi)
string(JSON frs1 GET "${OUT}" frs1)
if(NOT afi EQUAL 1 OR frs1 STREQUAL "")
    fail("fw-log: expected afi 1 and a slot 1 revision")
endif()

# Commands Supported and Effects (LID 05h): nvme-cli's lines, one per supported opcode.
nv(effects-log "${IMG}" -o json)
expect_ok("effects-log -o json")
string(JSON acs6 GET "${OUT}" ACS6)
string(JSON iocs1 GET "${OUT}" IOCS1)
string(JSON iocs2 GET "${OUT}" IOCS2)
string(JSON iocs5 ERROR_VARIABLE no_compare GET "${OUT}" IOCS5)
if(NOT acs6 EQUAL 1 OR NOT iocs1 EQUAL 3 OR NOT iocs2 EQUAL 1 OR NOT no_compare)
    fail("effects-log: expected Identify 1, Write 3 (CSUPP, LBCC), Read 1 and no Compare, got "
         "${acs6} ${iocs1} ${iocs2} ${iocs5}")
endif()
nv(effects-log "${IMG}" -H)
expect_ok("effects-log -H")
expect_contains("effects-log names Write with its bits" "${OUT}"
                "IOCS1    [Write                           ] 00000003  CSUPP+  LBCC+  NCC-")
expect_contains("effects-log lists the admin set" "${OUT}" "ACS6     [Identify")

nv(set-feature "${IMG}" -f 6 -V 0)
expect_ok("set-feature write cache off")
nv(get-feature "${IMG}" -f 6 -o json)
expect_ok("get-feature -o json")
string(JSON value GET "${OUT}" value)
string(JSON fid GET "${OUT}" feature_id)
if(NOT fid EQUAL 6)
    fail("get-feature: feature_id should be 6")
endif()

nv(get-log "${IMG}" -i 2 -l 512 -o binary)
expect_ok("get-log -o binary")

# Every NVMe 1.3 log is reachable with get-log; Telemetry Host-Initiated with --lsp 1 captures data.
foreach(lid 4 6 8 128 129)
    nv(get-log "${IMG}" -i ${lid} -l 64 -o json)
    expect_ok("get-log -i ${lid}")
endforeach()
nv(get-log "${IMG}" -i 7 -l 1024 --lsp 1 -o json)
expect_ok("get-log telemetry host-initiated create")
string(JSON tdata GET "${OUT}" data)
string(SUBSTRING "${tdata}" 16 6 dalb1) # bytes 8-10: data area 1 last block = 1
if(NOT dalb1 STREQUAL "010001")
    fail("telemetry create: data area 1 should end at block 1, got ${dalb1} in ${tdata}")
endif()
nv(get-log "${IMG}" -i 9 -l 64)
expect_error("get-log of an undefined log")

# Timestamp (0Eh) comes back as data.
nv(get-feature "${IMG}" -f 14 -o json)
expect_ok("get-feature timestamp")
string(JSON tsdata GET "${OUT}" data)
string(LENGTH "${tsdata}" tslen)
if(NOT tslen EQUAL 16)
    fail("get-feature timestamp: 8 bytes of data expected, got '${tsdata}'")
endif()
nv(get-feature "${IMG}" -f 14)
expect_contains("get-feature timestamp text" "${OUT}" "data:")

nv(admin-passthru "${IMG}" --opcode 0x06 --cdw10 1 --data-len 4096 --read)
expect_ok("admin-passthru Identify")
expect_contains("admin-passthru result line" "${OUT}" "NVMe command result:")
expect_contains("admin-passthru hex dump" "${OUT}" "CLITEST01")

nv(io-passthru "${IMG}" --opcode 0x02 -n 1 --cdw10 3 --data-len 4096 --read --raw-binary)
expect_ok("io-passthru Read")
expect_contains("io-passthru read data" "${OUT}" "quick brown fox")

nv(flush "${IMG}")
expect_ok("flush")

# ---- --trace -----------------------------------------------------------------------------

nv(flush "${IMG}" --trace)
expect_ok("flush --trace")
if(NOT OUT MATCHES "\\] fetch " OR NOT OUT MATCHES "\\] cqe ")
    fail("--trace should print fetch and cqe lines")
endif()
if(OUT MATCHES "power-on")
    fail("--trace (without =all) should start after bring-up")
endif()
nv(flush "${IMG}" --trace=all)
expect_ok("flush --trace=all")
expect_contains("--trace=all starts at power-on" "${OUT}" "power-on")
expect_contains("--trace=all ends with the shutdown" "${OUT}" "power-off")
nv(read "${IMG}" -s 3 --trace)
expect_ok("read to stdout with --trace")
if(OUT MATCHES "\\] fetch ")
    fail("with data on stdout, the trace must go to stderr")
endif()
expect_contains("read --trace on stderr" "${ERR}" "] cqe ")

# ---- exec --------------------------------------------------------------------------------

file(WRITE "${DIR}/script.nvl" "# a small console script\necho hello-from-script\nidentify ctrl\n")
nv(exec "${IMG}" "${DIR}/script.nvl")
expect_ok("exec FILE")
expect_contains("exec output" "${OUT}" "hello-from-script")
expect_contains("exec identify output" "${OUT}" "CLITEST01")

nv(exec "${IMG}" - INPUT "${DIR}/script.nvl")
expect_ok("exec - (stdin)")
expect_contains("exec - output" "${OUT}" "hello-from-script")

file(WRITE "${DIR}/bad_script.nvl" "echo first\nno-such-console-command\necho never\n")
nv(exec "${IMG}" "${DIR}/bad_script.nvl")
expect_error("exec of a failing script")
expect_contains("exec error names the line" "${ERR}" ":2:")
string(FIND "${OUT}" "never" pos)
if(NOT pos EQUAL -1)
    fail("exec should stop at the first failing line")
endif()

# A script may leave the device in a state the closing shutdown must cope with: a shutdown
# notification already written, or the I/O queue deleted by hand.
nv(smart-log "${IMG}" -o json)
string(JSON unsafe_before GET "${OUT}" unsafe_shutdowns)
file(WRITE "${DIR}/shn.nvl" "reg write CC.SHN 1\nrun\n")
nv(exec "${IMG}" "${DIR}/shn.nvl" --io-queue)
expect_ok("exec of a script that writes CC.SHN")
file(WRITE "${DIR}/delq.nvl"
     "sqe d opc=0x00 cdw10=1\nsubmit 0 d\nring 0\nrun\nsqe e opc=0x04 cdw10=1\nsubmit 0 e\nring 0\nrun\n")
nv(exec "${IMG}" "${DIR}/delq.nvl" --io-queue)
expect_ok("exec of a script that deletes the I/O queue pair")
nv(smart-log "${IMG}" -o json)
expect_ok("smart-log after those scripts")
string(JSON unsafe GET "${OUT}" unsafe_shutdowns)
if(NOT unsafe EQUAL unsafe_before)
    fail("the scripts' devices were shut down cleanly: unsafe_shutdowns went from "
         "${unsafe_before} to ${unsafe}")
endif()

nv(exec "${IMG}" "${DIR}")
expect_error("exec of a directory")
expect_contains("exec of a directory says so" "${ERR}" "is a directory, not a file")

# ---- output that cannot be written -------------------------------------------------------

# nv_to(file, args...): runs nvmelab with stdout going to `file` (e.g. /dev/full); sets RC, ERR.
function(nv_to file)
    execute_process(COMMAND "${NVMELAB}" ${ARGN} OUTPUT_FILE "${file}"
                    RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 120)
    set(RC "${rc}" PARENT_SCOPE)
    set(OUT "" PARENT_SCOPE)
    set(ERR "${err}" PARENT_SCOPE)
endfunction()

# Every command's output is checked in one place: a full disk is an error naming the OS reason.
foreach(args "id-ctrl;${IMG};-o;json" "smart-log;${IMG}" "get-log;${IMG};-i;2;-l;512"
        "exec;${IMG};${DIR}/script.nvl" "read;${IMG};-s;3" "id-ctrl;${IMG};-o;binary" "--help")
    nv_to(/dev/full ${args})
    expect_error("${args} > /dev/full")
    expect_contains("${args} > /dev/full names the OS error" "${ERR}"
                    "nvmelab: cannot write output: No space left on device")
endforeach()
nv(id-ctrl "${IMG}" -o json)
expect_ok("the image is fine after those commands")

# ---- closed standard streams -------------------------------------------------------------

# nv_sh(redirect, args...): runs nvmelab under sh with a redirection such as '>&-' (a closed
# stdout); sets RC, OUT, ERR.
function(nv_sh redirect)
    execute_process(COMMAND sh -c "exec \"$0\" \"$@\" ${redirect}" "${NVMELAB}" ${ARGN}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
    set(RC "${rc}" PARENT_SCOPE)
    set(OUT "${out}" PARENT_SCOPE)
    set(ERR "${err}" PARENT_SCOPE)
endfunction()

# A closed stream must not become the image: the header stays byte for byte, the data too.
file(READ "${IMG}" header_before LIMIT 4096 HEX)
nv_sh(">&-" read "${IMG}" -s 3 -z 16)
expect_error("read with stdout closed")
expect_contains("a closed stdout is named" "${ERR}"
                "nvmelab: cannot write output: standard output is closed")
nv_sh("2>&-" read "${IMG}" -s 3 -z ${data_size} -d "${DIR}/closed_stderr.txt")
expect_error("read with stderr closed (its 'read: Success' cannot be written)")
expect_same_file("read with stderr closed still wrote its data file" "${DATA}"
                 "${DIR}/closed_stderr.txt")
nv(read "${IMG}" -s 5 -z 16 -d "${DIR}/block5_before.bin")
nv_sh("<&-" write "${IMG}" -s 5)
expect_error("write with stdin closed")
expect_contains("a closed stdin reads as empty" "${ERR}" "the input is empty")
file(READ "${IMG}" header_after LIMIT 4096 HEX)
if(NOT header_before STREQUAL header_after)
    fail("a closed standard stream changed the image header")
endif()
nv(read "${IMG}" -s 5 -z 16 -d "${DIR}/block5_after.bin")
expect_same_file("a closed stdin wrote nothing to block 5" "${DIR}/block5_before.bin"
                 "${DIR}/block5_after.bin")
nv(read "${IMG}" -s 3 -z ${data_size} -d "${DIR}/closed_after.txt")
expect_ok("the image opens after the closed-stream runs")
expect_same_file("block 3 is intact after the closed-stream runs" "${DATA}"
                 "${DIR}/closed_after.txt")

# ---- output onto the image itself ---------------------------------------------------------

file(READ "${IMG}" header_before LIMIT 4096 HEX)
nv(read "${IMG}" -s 3 -d "${IMG}")
expect_error("read -d IMG")
expect_contains("read -d IMG is refused" "${ERR}" "is the image '${IMG}' itself")
file(CREATE_LINK "${IMG}" "${DIR}/link-to-dev.img" SYMBOLIC)
nv(read "${IMG}" -s 3 -d "${DIR}/link-to-dev.img")
expect_error("read -d a symlink to the image")
expect_contains("the symlink is refused" "${ERR}" "is the image '${IMG}' itself")
nv_sh("1<>'${IMG}'" read "${IMG}" -s 3)
expect_error("read with stdout opened onto the image")
expect_contains("stdout onto the image is refused" "${ERR}"
                "standard output is the image '${IMG}' itself")
file(READ "${IMG}" header_after LIMIT 4096 HEX)
if(NOT header_before STREQUAL header_after)
    fail("output onto the image changed its header")
endif()
nv(read "${IMG}" -s 3 -z ${data_size} -d "${DIR}/onto_after.txt")
expect_ok("the image opens after the refused outputs")
expect_same_file("block 3 is intact after the refused outputs" "${DATA}"
                 "${DIR}/onto_after.txt")

# ---- create --force and an image in use --------------------------------------------------

# Another process holds the image's lock (flock(1) takes the same flock(2) lock as nvmelab)
# and says so on the pipe; create --force starts only then. The holder stops once the pipe's
# reader has gone.
set(LOCKED "${DIR}/locked.img")
nv(create "${LOCKED}" --size 64M --serial LOCKHOLDER)
expect_ok("create the image to hold")
execute_process(
    COMMAND flock "${LOCKED}" sh -c "echo locked; while sleep 0.2; do echo . || exit 0; done"
    COMMAND sh -c "read line && exec \"$0\" create --force \"$1\" --size 128M"
            "${NVMELAB}" "${LOCKED}"
    RESULTS_VARIABLE rcs OUTPUT_VARIABLE OUT ERROR_VARIABLE ERR TIMEOUT 60)
list(GET rcs 1 RC)
expect_error("create --force over an image another process holds")
expect_contains("create --force names the image in use" "${ERR}"
                "is in use by another nvmelab process")
nv(id-ctrl "${LOCKED}" -o json)
expect_ok("the held image still opens")
string(JSON sn GET "${OUT}" sn)
if(NOT sn STREQUAL "LOCKHOLDER")
    fail("create --force replaced an image in use (serial '${sn}')")
endif()

# ---- -z and -c that disagree with the data ----------------------------------------------

file(WRITE "${DIR}/empty.bin" "")
file(WRITE "${DIR}/ten.bin" "0123456789")
string(REPEAT "x" 5000 five_thousand)
file(WRITE "${DIR}/5000.bin" "${five_thousand}")
nv(read "${IMG}" -s 7 -d "${DIR}/block7_before.bin")
nv(write "${IMG}" -s 7 -z 0 INPUT "${DIR}/empty.bin")
expect_error("write -z 0 from empty input")
expect_contains("-z 0 is refused" "${ERR}" "--data-size 0 moves no data")
nv(write "${IMG}" -s 7 -c 0 INPUT "${DIR}/empty.bin")
expect_error("write -c 0 from empty input")
expect_contains("empty input is refused" "${ERR}" "the input is empty")
nv(write "${IMG}" -s 7 -z 100 -d "${DIR}/ten.bin")
expect_error("write -z 100 of a 10-byte input")
expect_contains("short input names both sizes" "${ERR}"
                "the input ends after 10 bytes, but --data-size asks for 100")
nv(write "${IMG}" -s 7 -c 0 -z 10000 -d "${DIR}/5000.bin")
expect_error("write -c 0 -z 10000")
expect_contains("-z past -c names both" "${ERR}"
                "--data-size 10000 bytes does not fit --block-count 0 (1 block of 4096 bytes")
nv(write "${IMG}" -s 7 -c 0 -d "${DIR}/5000.bin")
expect_error("write -c 0 of a 5000-byte input")
expect_contains("input past -c is refused" "${ERR}"
                "the input is longer than --block-count 0 holds (1 block of 4096 bytes")
nv(read "${IMG}" -s 7 -c 0 -z 10000)
expect_error("read -c 0 -z 10000")
expect_contains("read: -z past -c names both" "${ERR}" "--data-size 10000 bytes does not fit")
nv(read "${IMG}" -s 7 -d "${DIR}/block7_after.bin")
expect_same_file("refused writes left block 7 alone" "${DIR}/block7_before.bin"
                 "${DIR}/block7_after.bin")
# What -z and -c say together still works: -z smaller than the blocks is padded.
nv(write "${IMG}" -s 7 -c 1 -z 10 -d "${DIR}/ten.bin")
expect_ok("write -c 1 -z 10")
nv(read "${IMG}" -s 7 -z 10 -d "${DIR}/ten_back.bin")
expect_same_file("write -c 1 -z 10 reads back" "${DIR}/ten.bin" "${DIR}/ten_back.bin")

# ---- a full file system ------------------------------------------------------------------

# Data the image cannot take fails the command, naming the OS error, even when the write's own
# completion said success (the cache write-back at shutdown fails): NVMe 1.3 §7.6.2, §5.14.1.2.
# Needs a tiny tmpfs (mount, as root); where mounting is not allowed the doctest suite
# `persistence` still covers the path with a store that reports "No space left on device".
set(FULL "${WORK}/full-fs")
file(MAKE_DIRECTORY "${FULL}")
execute_process(COMMAND umount "${FULL}" RESULT_VARIABLE ignored OUTPUT_QUIET ERROR_QUIET)
execute_process(COMMAND mount -t tmpfs -o size=1m tmpfs "${FULL}" RESULT_VARIABLE mounted
                OUTPUT_QUIET ERROR_VARIABLE mount_err)
if(mounted EQUAL 0)
    set(FULL_IMG "${FULL}/full.img")
    string(REPEAT "0123456789abcdef" 524288 eight_mib) # 8 MiB
    file(WRITE "${DIR}/8m.bin" "${eight_mib}")
    nv(create "${FULL_IMG}" --size 64M --mdts 0)
    expect_ok("create an image on a 1 MiB tmpfs")
    nv(write "${FULL_IMG}" -z 8388608 -d "${DIR}/8m.bin")
    expect_error("write 8 MiB into the cache of an image on a 1 MiB file system")
    expect_contains("the lost write-back is named" "${ERR}"
                    "the shutdown could not write the volatile write cache back")
    expect_contains("the OS error is named" "${ERR}" "No space left on device")
    # Write Fault, with the OS reason, when the write itself goes to the full image.
    nv(write "${FULL_IMG}" -s 4096 -z 8388608 -d "${DIR}/8m.bin" --force-unit-access)
    expect_error("FUA write to a full image")
    expect_contains("FUA write: Write Fault" "${ERR}" "Write Fault")
    expect_contains("FUA write: the OS error" "${ERR}" "No space left on device")
    # With room again the same write succeeds and reads back.
    execute_process(COMMAND mount -o remount,size=16m "${FULL}" RESULT_VARIABLE remounted)
    if(NOT remounted EQUAL 0)
        fail("remount the tmpfs larger")
    endif()
    nv(write "${FULL_IMG}" -z 8388608 -d "${DIR}/8m.bin")
    expect_ok("the write with room again")
    nv(read "${FULL_IMG}" -z 8388608 -d "${DIR}/8m_back.bin")
    expect_ok("read it back")
    expect_same_file("8 MiB read back" "${DIR}/8m.bin" "${DIR}/8m_back.bin")
    execute_process(COMMAND umount "${FULL}")
else()
    message(STATUS "skipped the full-file-system CLI test: cannot mount a tmpfs (${mount_err})")
endif()

# ---- input bounds: scripts and lessons ---------------------------------------------------

nv(exec "${IMG}" /dev/zero)
expect_error("exec of /dev/zero")
expect_contains("the NUL byte is refused as it is read" "${ERR}"
                "/dev/zero:1: a NUL byte at column 1")
string(REPEAT "a" 70000 long_line)
file(WRITE "${DIR}/long_line.nvl" "echo before\n${long_line}\n")
nv(exec "${IMG}" "${DIR}/long_line.nvl")
expect_error("exec of a script with a 70000-byte line")
expect_contains("the long line is refused naming the bound" "${ERR}"
                "long_line.nvl:2: the line is longer than 64 KiB")
string(FIND "${OUT}" "before" pos)
if(NOT pos EQUAL -1)
    fail("a script file past a bound must not run at all")
endif()
nv(exec "${IMG}" - INPUT "${DIR}/long_line.nvl")
expect_error("exec - with a 70000-byte line")
expect_contains("stdin: the long line is refused naming the bound" "${ERR}"
                "<stdin>:2: the line is longer than 64 KiB")
expect_contains("stdin runs line by line: line 1 ran before line 2 was read" "${OUT}" "before")
execute_process(COMMAND sh -c "yes '# a comment' | head -c 17000000"
                OUTPUT_FILE "${DIR}/huge.nvl")
nv(exec "${IMG}" "${DIR}/huge.nvl")
expect_error("exec of a 17 MB script")
expect_contains("the script bound is named" "${ERR}" "the script is longer than 16 MiB")
file(REMOVE "${DIR}/huge.nvl")
nv(lesson run /dev/zero)
expect_error("lesson run /dev/zero")
expect_contains("the lesson bound is named" "${ERR}" "larger than 4 MiB")

# ---- host memory: the host_memory property ----------------------------------------------

nv(create "${DIR}/small-host.img" --size 64M --property host_memory=1M)
expect_ok("create with host_memory=1M")
file(WRITE "${DIR}/alloc.nvl" "mem alloc big 2M\n")
nv(exec "${DIR}/small-host.img" "${DIR}/alloc.nvl")
expect_error("mem alloc past the host_memory property")
expect_contains("the limit and the property are named" "${ERR}"
                "would pass the limit of 1 MiB (the device property host_memory)")

# ---- images that cannot be used: read-only, a state slot that does not load ---------------

nv(create "${DIR}/read-only.img" --size 64M)
expect_ok("create the image to make read-only")
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(uid STREQUAL "0")
    # Root writes any file: run as nobody, for whom the 0644 image is read-only.
    set(as_nobody setpriv --reuid=65534 --regid=65534 --clear-groups)
else()
    file(CHMOD "${DIR}/read-only.img" PERMISSIONS OWNER_READ GROUP_READ WORLD_READ)
    set(as_nobody)
endif()
execute_process(COMMAND ${as_nobody} "${NVMELAB}" id-ctrl "${DIR}/read-only.img"
                RESULT_VARIABLE RC OUTPUT_VARIABLE OUT ERROR_VARIABLE ERR)
expect_error("id-ctrl of a read-only image")
expect_contains("a read-only image says why it must be writable" "${ERR}"
                "saves its state (SMART counters, logs, saved features) in the image at shutdown")

find_program(PYTHON3 python3)
if(PYTHON3)
    # A slot with a valid tag and CRC whose document does not load.
    nv(create "${DIR}/bad-state.img" --size 64M)
    execute_process(COMMAND "${PYTHON3}" -c "
import struct, sys, zlib
payload = b'{\"unsafe\": '
with open(sys.argv[1], 'r+b') as f:
    f.seek(4096)
    f.write(b'NVLSTATE' + struct.pack('<QII', 1, len(payload), zlib.crc32(payload)) + bytes(8) + payload)
" "${DIR}/bad-state.img" RESULT_VARIABLE py_rc)
    if(NOT py_rc EQUAL 0)
        fail("could not write the bad state slot")
    endif()
    nv(id-ctrl "${DIR}/bad-state.img")
    expect_error("id-ctrl of an image whose state does not load")
    expect_contains("the image and the slot are named" "${ERR}"
                    "image '${DIR}/bad-state.img', state slot A (sequence 1, file offset 4096): ")
endif()

# ---- metadata and Format NVM ---------------------------------------------------------------

set(MIMG "${DIR}/meta.img")
nv(create "${MIMG}" --size 4M --lbads 9 --ms 16)
expect_ok("create with metadata")
expect_contains("create names the metadata layout" "${OUT}" "metadata 16 bytes per block, in a separate buffer")
file(WRITE "${DIR}/mdata.bin" "0123456789abcdef")
file(WRITE "${DIR}/meta.bin" "METADATA-16BYTES")
nv(write "${MIMG}" -s 5 -d "${DIR}/mdata.bin" -M "${DIR}/meta.bin")
expect_ok("write with -M")
nv(read "${MIMG}" -s 5 -z 16 -d "${DIR}/mback.bin" -M "${DIR}/metaback.bin" -y 16)
expect_ok("read with -M")
expect_same_file("data read back" "${DIR}/mdata.bin" "${DIR}/mback.bin")
expect_same_file("metadata read back across invocations" "${DIR}/meta.bin" "${DIR}/metaback.bin")
nv(id-ns "${MIMG}" -o json)
expect_ok("id-ns json")
expect_contains("nlbaf: eight formats" "${OUT}" "\"nlbaf\": 7")
expect_contains("flbas: format 2 (512 + 16)" "${OUT}" "\"flbas\": 2")
expect_contains("lbafs entries" "${OUT}" "\"ds\": 12")
nv(format "${MIMG}" -l 3 -m 1)
expect_error("format without --force")
expect_contains("format asks for --force" "${ERR}" "add --force")
nv(format "${MIMG}" -l 9 -f)
expect_error("format to a format past NLBAF")
expect_contains("Invalid Format is reported" "${ERR}${OUT}" "Invalid Format")
nv(format "${MIMG}" -l 1 -m 1 -f)
expect_ok("format to 512 + 8 extended")
nv(id-ns "${MIMG}")
expect_contains("id-ns: FLBAS 0x11, format 1 with bit 4 (extended)" "${OUT}" "0x11")
nv(write "${MIMG}" -s 0 -d "${DIR}/mdata.bin" -M "${DIR}/meta.bin")
expect_error("-M on an extended-LBA format")
expect_contains("-M is refused by name" "${ERR}" "extended LBA")

# ---- demo --------------------------------------------------------------------------------

file(MAKE_DIRECTORY "${DIR}/demo")
nv(demo --dir "${DIR}/demo")
expect_ok("demo")
expect_contains("demo shows the error" "${OUT}" "LBA Out of Range")
expect_contains("demo shows a trace" "${OUT}" "] cqe ")
if(NOT EXISTS "${DIR}/demo/demo.img")
    fail("demo should leave its image in --dir")
endif()

file(REMOVE_RECURSE "${DIR}")
message(STATUS "nvmelab CLI tests passed")
