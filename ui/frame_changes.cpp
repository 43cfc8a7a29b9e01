// Frame-to-frame change detection (see frame_changes.h).
#include "ui/frame_changes.h"

#include <cstring>

namespace nvmelab::ui {

namespace {

template <typename T> void append(std::vector<unsigned char> &out, const T *data, size_t count) {
    const auto *bytes = reinterpret_cast<const unsigned char *>(data);
    out.insert(out.end(), bytes, bytes + count * sizeof(T));
}

} // namespace

bool FrameChangeDetector::changed(const ImDrawData &data) {
    now_.clear();
    append(now_, &data.DisplayPos, 1);
    append(now_, &data.DisplaySize, 1);
    append(now_, &data.FramebufferScale, 1);
    for (int i = 0; i < data.CmdListsCount; ++i) {
        const ImDrawList &list = *data.CmdLists[i];
        const int sizes[3] = {list.CmdBuffer.Size, list.VtxBuffer.Size, list.IdxBuffer.Size};
        append(now_, sizes, 3);
        for (const ImDrawCmd &c : list.CmdBuffer) {
            append(now_, &c.ClipRect, 1);
            append(now_, &c.TextureId, 1);
            append(now_, &c.UserCallback, 1);
            const unsigned counts[3] = {c.VtxOffset, c.IdxOffset, c.ElemCount};
            append(now_, counts, 3);
        }
        append(now_, list.VtxBuffer.Data, static_cast<size_t>(list.VtxBuffer.Size));
        append(now_, list.IdxBuffer.Data, static_cast<size_t>(list.IdxBuffer.Size));
    }
    const bool same = valid_ && now_.size() == last_.size() &&
                      std::memcmp(now_.data(), last_.data(), now_.size()) == 0;
    last_.swap(now_);
    valid_ = true;
    return !same;
}

} // namespace nvmelab::ui
