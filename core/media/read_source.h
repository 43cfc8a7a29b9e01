#pragma once
// Data a Read leaves where it lies (the write cache or the media) until its data-out DMA copies
// it straight into host memory, so each byte moves once. The namespace hands out a hold when
// the Read executes and keeps what the hold reads as it was then until the hold is released:
// a write over the range in between does not change what the Read returns.
#include <cstdint>
#include <span>

namespace nvmelab {

class ReadSource {
public:
    virtual ~ReadSource() = default;
    // Copies bytes [offset, offset + out.size()) of the held range into out. False on a
    // backing-store failure (not expected: holds are taken only over stores whose reads
    // cannot fail).
    virtual bool read_held(uint64_t hold, uint64_t offset, std::span<uint8_t> out) = 0;
    virtual void release_read(uint64_t hold) = 0;
};

// A command's hold on a ReadSource.
struct HeldRead {
    bool requested = false; // prepare asked for it: no staging buffer is sized
    ReadSource *source = nullptr;
    uint64_t hold = 0;

    bool active() const { return source != nullptr; }
    void take(ReadSource &from, uint64_t id) {
        source = &from;
        hold = id;
    }
    void release() {
        if (source != nullptr) source->release_read(hold);
        source = nullptr;
        requested = false;
    }
};

} // namespace nvmelab
