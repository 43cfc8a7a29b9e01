#include "image/device_image.h"

#include "doctest/doctest.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <csignal>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "driver/host_driver.h"

using nvmelab::DeviceImage;
using nvmelab::ImageError;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp directory, removed with everything in it.
struct TempDir {
    fs::path dir;
    TempDir() {
        static std::atomic<unsigned> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        dir =
            fs::temp_directory_path() / ("nvmelab-image-test-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + "-" + std::to_string(stamp));
        fs::create_directories(dir);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string file(const std::string &name) const { return (dir / name).string(); }
};

std::vector<uint8_t> file_bytes(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_file_bytes(const std::string &path, const std::vector<uint8_t> &bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    REQUIRE(out);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out);
}

// Overwrites bytes at a file offset without truncating.
void patch_file(const std::string &path, uint64_t offset, const std::string &bytes) {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    REQUIRE(f);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(f);
}

void flip_byte(const std::string &path, uint64_t offset) {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    REQUIRE(f);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    REQUIRE(f);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
    REQUIRE(f);
}

nlohmann::json sample_properties() {
    return {{"size", 2048}, {"lbads", 9}, {"serial", "NVL-0001"}, {"model", "nvmelab test"}};
}

constexpr uint64_t kSmallMedia = 1024 * 1024;

// Expects open(path) to throw an ImageError whose message contains `word` and the path, and
// the file to be byte-for-byte unchanged afterwards.
void expect_open_fails(const std::string &path, const std::string &word) {
    const std::vector<uint8_t> before = file_bytes(path);
    std::string message;
    try {
        DeviceImage::open(path);
    } catch (const ImageError &e) {
        message = e.what();
    }
    INFO("message: ", message);
    CHECK_MESSAGE(!message.empty(), "open did not throw ImageError");
    CHECK(message.find(word) != std::string::npos);
    CHECK(message.find(path) != std::string::npos);
    CHECK(file_bytes(path) == before);
}

// Crash tests: the write (pwrite or fdatasync) at which the process kills itself, and how many
// it has made. At that write, half of the buffer reaches the file first: a torn write.
uint64_t g_kill_at_write = 0;
uint64_t g_writes_made = 0;
void kill_at_write(int fd, const uint8_t *data, uint64_t len, uint64_t pos) {
    if (++g_writes_made != g_kill_at_write) return;
    if (data != nullptr && len > 1) {
        [[maybe_unused]] const ssize_t n =
            ::pwrite(fd, data, static_cast<size_t>(len / 2), static_cast<off_t>(pos));
    }
    ::raise(SIGKILL);
}

// Block contents of the crash tests: `version` of block `lba`.
std::vector<uint8_t> crash_block(uint64_t lba, int version) {
    std::vector<uint8_t> b(4096);
    for (size_t i = 0; i < b.size(); ++i)
        b[i] = static_cast<uint8_t>(lba * 31 + i * 7 + static_cast<size_t>(version) * 101);
    return b;
}

std::vector<uint8_t> crash_blocks(uint64_t slba, uint32_t n, int version) {
    std::vector<uint8_t> out;
    for (uint32_t i = 0; i < n; ++i) {
        const auto b = crash_block(slba + i, version);
        out.insert(out.end(), b.begin(), b.end());
    }
    return out;
}

// One CLI-like session on an image: power on, bring up, the writes of `version` (32 blocks
// with FUA, 8 cached), a feature saved, a clean shutdown and power-off. Every kind of image
// write happens: media, state slots, fdatasync.
void crash_session(const std::string &path, int version) {
    auto image = DeviceImage::open(path);
    nvmelab::DeviceConfig config = nvmelab::DeviceConfig::from_json(image->properties());
    nvmelab::SparseHostMemory mem;
    nvmelab::Controller ctrl(config, mem, *image);
    nvmelab::HostDriver host(ctrl, mem);
    host.enable();
    const uint16_t q = host.create_io_queue_pair(8);
    if (!host.write(q, 1, 0, 31, crash_blocks(0, 32, version), true).ok()) ::_exit(3);
    if (!host.write(q, 1, 40, 7, crash_blocks(40, 8, version)).ok()) ::_exit(3);
    if (!host.set_features(0x08, static_cast<uint32_t>(version), true).ok()) ::_exit(3);
    host.shutdown();
    ctrl.power_off(nvmelab::PowerOff::Clean);
}

} // namespace

TEST_SUITE("image") {

    // A process killed (SIGKILL) in the middle of saving an image, at every one of its writes
    // in turn, with the write it is killed at torn in half: the image opens, its persistent
    // state is the previous one or a newer one (never a mix), the device powers on from it,
    // and each written block holds its old or its new data.
    TEST_CASE("SIGKILL at every write of a session leaves an image that opens, old or new") {
        TempDir tmp;
        const std::string base = tmp.file("base.img");
        const nlohmann::json props = {{"size", 1024 * 1024}, {"cache_blocks", 64}};
        DeviceImage::create(base, props, 1024 * 1024);
        {
            // The previous state: one complete session (version 1).
            const pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                crash_session(base, 1);
                ::_exit(0);
            }
            int status = 0;
            REQUIRE(::waitpid(pid, &status, 0) == pid);
            REQUIRE(WIFEXITED(status));
            REQUIRE(WEXITSTATUS(status) == 0);
        }
        const uint64_t previous_cycles =
            nlohmann::json::parse(DeviceImage::open(base)->load_state())["health"]["power_cycles"];
        const std::string path = tmp.file("crash.img");
        uint64_t kills = 0;
        bool finished = false;
        for (uint64_t n = 1; n < 500 && !finished; ++n) {
            CAPTURE(n);
            fs::copy_file(base, path, fs::copy_options::overwrite_existing);
            const pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                g_kill_at_write = n;
                DeviceImage::set_write_hook(kill_at_write);
                crash_session(path, 2);
                ::_exit(0);
            }
            int status = 0;
            REQUIRE(::waitpid(pid, &status, 0) == pid);
            if (WIFSIGNALED(status)) {
                REQUIRE(WTERMSIG(status) == SIGKILL);
                ++kills;
            } else {
                REQUIRE(WIFEXITED(status));
                REQUIRE(WEXITSTATUS(status) == 0);
                finished = true; // n is past the session's last write
            }
            std::unique_ptr<DeviceImage> image;
            REQUIRE_NOTHROW(image = DeviceImage::open(path));
            const std::string state = image->load_state();
            REQUIRE_FALSE(state.empty());
            const uint64_t cycles = nlohmann::json::parse(state)["health"]["power_cycles"];
            CHECK((cycles == previous_cycles || cycles == previous_cycles + 1));
            if (finished) CHECK(cycles == previous_cycles + 1);
            for (uint64_t lba : {0, 31, 40, 47}) {
                CAPTURE(lba);
                std::vector<uint8_t> block(4096);
                REQUIRE(image->read(lba * 4096, block));
                const bool old_or_new =
                    block == crash_block(lba, 1) || block == crash_block(lba, 2);
                CHECK(old_or_new);
                if (finished) CHECK(block == crash_block(lba, 2));
            }
            nvmelab::SparseHostMemory mem;
            const nvmelab::DeviceConfig config =
                nvmelab::DeviceConfig::from_json(image->properties());
            CHECK_NOTHROW(nvmelab::Controller(config, mem, *image));
        }
        CHECK(finished);
        CHECK(kills >= 8);
        MESSAGE("image: a session killed at each of its " << kills << " writes");
    }

    TEST_CASE("create and reopen keep properties and media bytes") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        std::vector<uint8_t> block(512);
        for (size_t i = 0; i < block.size(); ++i)
            block[i] = static_cast<uint8_t>(i * 7 + 3);
        {
            auto img = DeviceImage::create(path, sample_properties(), kSmallMedia);
            CHECK(img->path() == path);
            CHECK(img->media_size() == kSmallMedia);
            CHECK(img->properties() == sample_properties());
            CHECK(img->write(4096, block));
            CHECK(img->write(kSmallMedia - 512, block));
            CHECK(img->sync());
        }
        auto img = DeviceImage::open(path);
        CHECK(img->properties() == sample_properties());
        CHECK(img->media_size() == kSmallMedia);
        CHECK(img->media_offset() % DeviceImage::kMediaAlignment == 0);
        std::vector<uint8_t> got(512);
        CHECK(img->read(4096, got));
        CHECK(got == block);
        CHECK(img->read(kSmallMedia - 512, got));
        CHECK(got == block);
        CHECK(img->load_state() == "");

        // The header is human-readable at the start of the file.
        const std::vector<uint8_t> bytes = file_bytes(path);
        const std::string head(bytes.begin(), bytes.begin() + DeviceImage::kHeaderSize);
        CHECK(head.rfind("NVMELAB-IMAGE\n{", 0) == 0);
        CHECK(head.find("\"format_version\": 1") != std::string::npos);
        CHECK(head.find("NVL-0001") != std::string::npos);
        CHECK(bytes.size() == img->media_offset() + kSmallMedia);
    }

    TEST_CASE("create leaves no temporary file behind") {
        TempDir tmp;
        DeviceImage::create(tmp.file("dev.img"), sample_properties(), kSmallMedia);
        int entries = 0;
        for (const auto &e : fs::directory_iterator(tmp.dir)) {
            ++entries;
            CHECK(e.path().filename() == "dev.img");
        }
        CHECK(entries == 1);
    }

    TEST_CASE("unwritten media reads zeros") {
        TempDir tmp;
        auto img = DeviceImage::create(tmp.file("dev.img"), {}, kSmallMedia);
        CHECK(img->properties() == nlohmann::json::object());
        std::vector<uint8_t> buf(8192, 0xee);
        CHECK(img->read(65536, buf));
        CHECK(buf == std::vector<uint8_t>(8192, 0));
        // Around a written block, the neighbours stay zero.
        const std::vector<uint8_t> ones(512, 0xff);
        CHECK(img->write(1024, ones));
        std::vector<uint8_t> around(2048, 0xee);
        CHECK(img->read(512, around));
        for (size_t i = 0; i < around.size(); ++i) {
            const uint8_t want = (i >= 512 && i < 1024) ? 0xff : 0x00;
            if (around[i] != want) {
                FAIL_CHECK("byte ", i, " is ", int(around[i]));
                break;
            }
        }
    }

    TEST_CASE("a 1 TiB image is sparse") {
        TempDir tmp;
        const uint64_t tib = uint64_t{1} << 40;
        auto img = DeviceImage::create(tmp.file("big.img"), sample_properties(), tib);
        const std::vector<uint8_t> block(4096, 0xab);
        CHECK(img->write(0, block));
        CHECK(img->write(tib / 2, block));
        CHECK(img->write(tib - block.size(), block));
        CHECK(img->save_state(R"({"smart":{"power_cycles":1}})"));
        CHECK(img->sync());
        CHECK(fs::file_size(img->path()) == img->media_offset() + tib);
        CHECK(img->allocated_bytes() > 0);
        CHECK(img->allocated_bytes() < 8 * 1024 * 1024);
        std::vector<uint8_t> got(4096);
        CHECK(img->read(tib - got.size(), got));
        CHECK(got == block);
    }

    TEST_CASE("state slots alternate and reopen returns the newest") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        {
            auto img = DeviceImage::create(path, sample_properties(), kSmallMedia);
            CHECK(img->load_state() == "");
            CHECK(img->save_state(R"({"v":1})"));
            CHECK(img->load_state() == R"({"v":1})");
            CHECK(img->save_state(R"({"v":2})"));
            CHECK(img->load_state() == R"({"v":2})");
        }
        // First save went to slot A with sequence 1, the second to slot B with sequence 2.
        const std::vector<uint8_t> bytes = file_bytes(path);
        const auto slot_text = [&](int slot, size_t len) {
            const size_t at = DeviceImage::slot_offset(slot);
            return std::string(bytes.begin() + at, bytes.begin() + at + len);
        };
        CHECK(slot_text(0, 8) == "NVLSTATE");
        CHECK(slot_text(1, 8) == "NVLSTATE");
        CHECK(bytes[DeviceImage::slot_offset(0) + 8] == 1);
        CHECK(bytes[DeviceImage::slot_offset(1) + 8] == 2);
        {
            auto img = DeviceImage::open(path);
            CHECK(img->load_state() == R"({"v":2})");
            // The third save overwrites the older slot A.
            CHECK(img->save_state(R"({"v":3})"));
        }
        auto img = DeviceImage::open(path);
        CHECK(img->load_state() == R"({"v":3})");
        const std::vector<uint8_t> after = file_bytes(path);
        CHECK(after[DeviceImage::slot_offset(0) + 8] == 3);
        CHECK(after[DeviceImage::slot_offset(1) + 8] == 2);
    }

    TEST_CASE("state larger than a slot is refused and the old state kept") {
        TempDir tmp;
        auto img = DeviceImage::create(tmp.file("dev.img"), {}, kSmallMedia);
        CHECK(img->save_state(R"({"v":1})"));
        CHECK_FALSE(img->save_state(std::string(DeviceImage::kSlotCapacity + 1, ' ')));
        CHECK(img->load_state() == R"({"v":1})");
        const std::string biggest(DeviceImage::kSlotCapacity, 'x');
        CHECK(img->save_state(biggest));
        CHECK(img->load_state() == biggest);
    }

    TEST_CASE("a corrupt newest slot falls back to the older state") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        {
            auto img = DeviceImage::create(path, sample_properties(), kSmallMedia);
            CHECK(img->save_state(R"({"v":1})")); // slot A
            CHECK(img->save_state(R"({"v":2})")); // slot B
        }
        // A payload byte of slot B (the newest) goes bad: open still works, returns the old state.
        flip_byte(path, DeviceImage::slot_offset(1) + DeviceImage::kSlotHeaderSize + 2);
        {
            auto img = DeviceImage::open(path);
            CHECK(img->load_state() == R"({"v":1})");
            // The next save replaces the bad slot, not the good one.
            CHECK(img->save_state(R"({"v":3})"));
            CHECK(img->load_state() == R"({"v":3})");
        }
        auto img = DeviceImage::open(path);
        CHECK(img->load_state() == R"({"v":3})");
        // Damage while the image is open is noticed too.
        flip_byte(path, DeviceImage::slot_offset(1) + DeviceImage::kSlotHeaderSize);
        CHECK(img->load_state() == R"({"v":1})");
    }

    TEST_CASE("a slot whose sequence is 2^64 - 1 counts as corrupt") {
        // No save could go above it: every later save would fail and the state never change.
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        {
            auto img = DeviceImage::create(path, sample_properties(), kSmallMedia);
            CHECK(img->save_state(R"({"v":1})")); // slot A, sequence 1
            CHECK(img->save_state(R"({"v":2})")); // slot B, sequence 2
        }
        {
            std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
            f.seekp(static_cast<std::streamoff>(DeviceImage::slot_offset(1) + 8));
            const std::string all_ones(8, '\xFF');
            f.write(all_ones.data(), 8);
            REQUIRE(f);
        }
        auto img = DeviceImage::open(path);
        CHECK(img->load_state() == R"({"v":1})");
        CHECK(img->save_state(R"({"v":3})")); // saving goes on, into slot B
        CHECK(img->load_state() == R"({"v":3})");
    }

    TEST_CASE("an image is open in one place at a time") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        DeviceImage::create(path, sample_properties(), kSmallMedia);
        {
            auto first = DeviceImage::open(path);
            CHECK_THROWS_WITH_AS(DeviceImage::open(path, 0), doctest::Contains("is in use"),
                                 ImageError);
            CHECK_THROWS_AS(DeviceImage::open(path, 30), ImageError); // waits, then gives up
        }
        CHECK(DeviceImage::open(path, 0) != nullptr); // closed: free again
    }

    TEST_CASE("create --force does not replace an image another process has open") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        DeviceImage::create(path, sample_properties(), kSmallMedia);
        const std::vector<uint8_t> data(4096, 0x5A);
        {
            auto user = DeviceImage::open(path);
            CHECK_THROWS_WITH_AS(DeviceImage::create(path, {}, 2 * kSmallMedia, true, 0),
                                 doctest::Contains("is in use"), ImageError);
            // The user's write lands in the file at the path, not in an unlinked one.
            CHECK(user->write(0, data));
        }
        auto again = DeviceImage::open(path, 0);
        CHECK(again->media_size() == kSmallMedia);
        std::vector<uint8_t> back(4096);
        CHECK(again->read(0, back));
        CHECK(back == data);
    }

    TEST_CASE("open waiting for the lock follows an image replaced meanwhile") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        DeviceImage::create(path, sample_properties(), kSmallMedia);
        // Another process holds the old file's lock (as a create --force does up to its rename).
        const int holder = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(holder >= 0);
        REQUIRE(::flock(holder, LOCK_EX) == 0);
        std::unique_ptr<DeviceImage> waiter;
        std::thread opener([&] { waiter = DeviceImage::open(path, 5000); });
        std::this_thread::sleep_for(std::chrono::milliseconds(200)); // it waits on the old file
        DeviceImage::create(tmp.file("new.img"), sample_properties(), 2 * kSmallMedia);
        fs::rename(tmp.file("new.img"), path);
        ::close(holder); // releases the lock of the old, now unlinked, file
        opener.join();
        REQUIRE(waiter != nullptr);
        CHECK(waiter->media_size() == 2 * kSmallMedia); // the new image, not the unlinked one
    }

    TEST_CASE("a torn first save reads as no state") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        {
            auto img = DeviceImage::create(path, {}, kSmallMedia);
            CHECK(img->save_state(R"({"v":1})"));
        }
        flip_byte(path, DeviceImage::slot_offset(0) + DeviceImage::kSlotHeaderSize);
        auto img = DeviceImage::open(path);
        CHECK(img->load_state() == "");
        CHECK(img->save_state(R"({"v":2})"));
        CHECK(img->load_state() == R"({"v":2})");
    }

    TEST_CASE("bad images are refused with a clear message and left unchanged") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        {
            auto img = DeviceImage::create(path, sample_properties(), kSmallMedia);
            CHECK(img->save_state(R"({"v":1})"));
            CHECK(img->save_state(R"({"v":2})"));
        }
        const std::vector<uint8_t> good = file_bytes(path);
        const std::string header(good.begin(), good.begin() + DeviceImage::kHeaderSize);

        SUBCASE("missing file") {
            const std::string missing = tmp.file("missing.img");
            std::string message;
            try {
                DeviceImage::open(missing);
            } catch (const ImageError &e) {
                message = e.what();
            }
            CHECK(message.find(missing) != std::string::npos);
            CHECK(message.find("No such file") != std::string::npos);
            CHECK_FALSE(fs::exists(missing));
        }
        SUBCASE("bad magic") {
            patch_file(path, 0, "NVMEL0B");
            expect_open_fails(path, "magic");
        }
        SUBCASE("empty file") {
            put_file_bytes(path, {});
            expect_open_fails(path, "magic");
        }
        SUBCASE("unsupported format version") {
            const size_t at = header.find("\"format_version\": 1");
            REQUIRE(at != std::string::npos);
            patch_file(path, at, "\"format_version\": 7");
            expect_open_fails(path, "version");
        }
        SUBCASE("corrupt header JSON") {
            const size_t at = header.find("\"media_size\"");
            REQUIRE(at != std::string::npos);
            patch_file(path, at, "#");
            expect_open_fails(path, "JSON");
        }
        SUBCASE("header JSON without properties") {
            const size_t at = header.find("\"properties\"");
            REQUIRE(at != std::string::npos);
            patch_file(path, at, "\"Properties\"");
            expect_open_fails(path, "JSON");
        }
        SUBCASE("file shorter than the header") {
            put_file_bytes(path, std::vector<uint8_t>(good.begin(), good.begin() + 60)); // mid-JSON
            expect_open_fails(path, "truncated");
        }
        SUBCASE("file shorter than its media") {
            fs::resize_file(path, good.size() - 1);
            expect_open_fails(path, "truncated");
        }
        SUBCASE("both state slots corrupt") {
            flip_byte(path, DeviceImage::slot_offset(0) + DeviceImage::kSlotHeaderSize);
            flip_byte(path, DeviceImage::slot_offset(1) + DeviceImage::kSlotHeaderSize);
            expect_open_fails(path, "corrupt");
        }
        SUBCASE("a good image still opens") {
            CHECK(DeviceImage::open(path)->load_state() == R"({"v":2})");
        }
    }

    TEST_CASE("create refuses an existing path unless told to overwrite") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        {
            auto img = DeviceImage::create(path, sample_properties(), kSmallMedia);
            CHECK(img->save_state(R"({"keep":true})"));
        }
        const std::vector<uint8_t> before = file_bytes(path);
        std::string message;
        try {
            DeviceImage::create(path, {}, 2 * kSmallMedia);
        } catch (const ImageError &e) {
            message = e.what();
        }
        CHECK(message.find("exists") != std::string::npos);
        CHECK(message.find("--force") != std::string::npos); // how to replace it
        CHECK(message.find(path) != std::string::npos);
        CHECK(file_bytes(path) == before);

        auto img = DeviceImage::create(path, {{"serial", "NEW"}}, 2 * kSmallMedia, true);
        CHECK(img->media_size() == 2 * kSmallMedia);
        CHECK(img->load_state() == "");
        CHECK(DeviceImage::open(path)->properties() == nlohmann::json{{"serial", "NEW"}});
    }

    TEST_CASE("create refuses properties that do not fit in the header") {
        TempDir tmp;
        const std::string path = tmp.file("dev.img");
        nlohmann::json props = {{"note", std::string(5000, 'n')}};
        std::string message;
        try {
            DeviceImage::create(path, props, kSmallMedia);
        } catch (const ImageError &e) {
            message = e.what();
        }
        CHECK(message.find("header") != std::string::npos);
        CHECK_FALSE(fs::exists(path));
        CHECK(fs::is_empty(tmp.dir));
    }

    TEST_CASE("out-of-range media access returns false") {
        TempDir tmp;
        auto img = DeviceImage::create(tmp.file("dev.img"), {}, kSmallMedia);
        const uint64_t file_size = fs::file_size(img->path());
        std::vector<uint8_t> buf(512, 0x11);
        CHECK_FALSE(img->read(kSmallMedia, buf));
        CHECK_FALSE(img->write(kSmallMedia, buf));
        CHECK_FALSE(img->read(kSmallMedia - 511, buf));
        CHECK_FALSE(img->write(kSmallMedia - 511, buf));
        CHECK_FALSE(img->read(UINT64_MAX - 10, buf));
        CHECK_FALSE(img->write(UINT64_MAX - 10, buf));
        CHECK(img->read(kSmallMedia - 512, buf));
        CHECK(img->write(kSmallMedia - 512, buf));
        CHECK(fs::file_size(img->path()) == file_size);
    }

} // TEST_SUITE("image")
