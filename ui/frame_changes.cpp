// Frame-to-frame damage (see frame_changes.h).
#include "ui/frame_changes.h"

#include <algorithm>
#include <cstring>

namespace nvmelab::ui {

namespace {

template <typename T> void append(std::vector<unsigned char> &out, const T *data, size_t count) {
    const auto *bytes = reinterpret_cast<const unsigned char *>(data);
    out.insert(out.end(), bytes, bytes + count * sizeof(T));
}

bool is_empty(const ImVec4 &r) {
    return r.z <= r.x || r.w <= r.y;
}

float area(const ImVec4 &r) {
    return (r.z - r.x) * (r.w - r.y);
}

ImVec4 intersection(const ImVec4 &a, const ImVec4 &b) {
    return {std::max(a.x, b.x), std::max(a.y, b.y), std::min(a.z, b.z), std::min(a.w, b.w)};
}

ImVec4 bounding_box(const ImVec4 &a, const ImVec4 &b) {
    return {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.z, b.z), std::max(a.w, b.w)};
}

} // namespace

void merge_rectangles(std::vector<ImVec4> &rects) {
    rects.erase(std::remove_if(rects.begin(), rects.end(), is_empty), rects.end());
    // Two rectangles become their bounding box only when that covers no more pixels than they
    // do apart: a rectangle inside another, or two side by side. (Windows that touch by a
    // pixel's border would otherwise merge across the screen.) A merge can allow another, so
    // repeat until nothing merges.
    for (bool merged = true; merged;) {
        merged = false;
        for (size_t i = 0; i < rects.size(); ++i)
            for (size_t j = i + 1; j < rects.size();) {
                const ImVec4 box = bounding_box(rects[i], rects[j]);
                if (area(box) <= area(rects[i]) + area(rects[j])) {
                    rects[i] = box;
                    rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(j));
                    merged = true;
                } else {
                    ++j;
                }
            }
    }
}

const std::vector<ImVec4> &FrameDamage::update(const ImDrawData &data) {
    const ImVec4 display{data.DisplayPos.x, data.DisplayPos.y,
                         data.DisplayPos.x + data.DisplaySize.x,
                         data.DisplayPos.y + data.DisplaySize.y};
    lists_.clear();
    bytes_.clear();
    for (int i = 0; i < data.CmdListsCount; ++i) {
        const ImDrawList &list = *data.CmdLists[i];
        ListRecord r;
        r.owner = list._OwnerName != nullptr ? list._OwnerName : "";
        r.begin = bytes_.size();
        const int sizes[3] = {list.CmdBuffer.Size, list.VtxBuffer.Size, list.IdxBuffer.Size};
        append(bytes_, sizes, 3);
        ImVec4 clips{0, 0, 0, 0};
        bool drawn = false;
        for (const ImDrawCmd &c : list.CmdBuffer) {
            append(bytes_, &c.ClipRect, 1);
            append(bytes_, &c.TextureId, 1);
            append(bytes_, &c.UserCallback, 1);
            const unsigned counts[3] = {c.VtxOffset, c.IdxOffset, c.ElemCount};
            append(bytes_, counts, 3);
            const ImVec4 clip = intersection(c.ClipRect, display);
            if (c.ElemCount == 0 || is_empty(clip)) continue;
            clips = drawn ? bounding_box(clips, clip) : clip;
            drawn = true;
        }
        // A window's frame and title bar are clipped to the whole display, so the clip
        // rectangles alone would say "everywhere": the vertices say where it draws.
        if (drawn && list.VtxBuffer.Size > 0) {
            ImVec4 vertices{list.VtxBuffer[0].pos.x, list.VtxBuffer[0].pos.y,
                            list.VtxBuffer[0].pos.x, list.VtxBuffer[0].pos.y};
            for (const ImDrawVert &v : list.VtxBuffer) {
                vertices.x = std::min(vertices.x, v.pos.x);
                vertices.y = std::min(vertices.y, v.pos.y);
                vertices.z = std::max(vertices.z, v.pos.x);
                vertices.w = std::max(vertices.w, v.pos.y);
            }
            r.bounds = intersection(clips, vertices);
            r.empty = is_empty(r.bounds);
        }
        append(bytes_, list.VtxBuffer.Data, static_cast<size_t>(list.VtxBuffer.Size));
        append(bytes_, list.IdxBuffer.Data, static_cast<size_t>(list.IdxBuffer.Size));
        r.end = bytes_.size();
        lists_.push_back(std::move(r));
    }

    damage_.clear();
    bool whole = !valid_ || std::memcmp(&display, &display_, sizeof display) != 0 ||
                 data.FramebufferScale.x != scale_.x || data.FramebufferScale.y != scale_.y ||
                 lists_.size() != last_lists_.size();
    for (size_t i = 0; !whole && i < lists_.size(); ++i) {
        const ListRecord &now = lists_[i];
        const ListRecord &last = last_lists_[i];
        // Windows that changed order or were replaced: what lies over what changed.
        if (now.owner != last.owner) {
            whole = true;
            break;
        }
        const size_t size = now.end - now.begin;
        if (size == last.end - last.begin &&
            std::memcmp(bytes_.data() + now.begin, last_bytes_.data() + last.begin, size) == 0)
            continue;
        if (!last.empty) damage_.push_back(last.bounds);
        if (!now.empty) damage_.push_back(now.bounds);
    }
    if (whole) {
        damage_.assign(1, display);
    }
    merge_rectangles(damage_);

    lists_.swap(last_lists_);
    bytes_.swap(last_bytes_);
    display_ = display;
    scale_ = data.FramebufferScale;
    valid_ = true;
    return damage_;
}

} // namespace nvmelab::ui
