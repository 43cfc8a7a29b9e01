// Frame-to-frame damage (see frame_damage.h).
#include "ui/render/frame_damage.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace nvmelab::ui {

namespace {

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

// FNV-1a over 32-bit words, 64-bit state: fast, and order matters.
constexpr uint64_t kSeed = 14695981039346656037ull;
constexpr uint64_t kPrime = 1099511628211ull;

template <typename T> uint64_t mix(uint64_t h, const T &value) {
    static_assert(sizeof(T) % 4 == 0);
    uint32_t words[sizeof(T) / 4];
    std::memcpy(words, &value, sizeof(T));
    for (uint32_t w : words)
        h = (h ^ w) * kPrime;
    return h;
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

void limit_rectangles(std::vector<ImVec4> &rects, size_t most) {
    // Each rectangle costs a pass over the draw commands that reach into it, so past `most`
    // the two whose bounding box adds the least area are merged, until `most` remain.
    while (rects.size() > most) {
        size_t best_i = 0, best_j = 1;
        float best = -1;
        for (size_t i = 0; i < rects.size(); ++i)
            for (size_t j = i + 1; j < rects.size(); ++j) {
                const float added =
                    area(bounding_box(rects[i], rects[j])) - area(rects[i]) - area(rects[j]);
                if (best < 0 || added < best) {
                    best = added;
                    best_i = i;
                    best_j = j;
                }
            }
        rects[best_i] = bounding_box(rects[best_i], rects[best_j]);
        rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(best_j));
    }
}

void FrameDamage::hash_tiles(const ImDrawData &data, const ImVec4 &display) {
    tiles_.assign(static_cast<size_t>(columns_) * static_cast<size_t>(rows_), kSeed);
    commands_.clear();
    boxes_.clear();
    for (int i = 0; i < data.CmdListsCount; ++i) {
        const ImDrawList &list = *data.CmdLists[i];
        for (int j = 0; j < list.CmdBuffer.Size; ++j) {
            const ImDrawCmd &c = list.CmdBuffer[j];
            const ImVec4 clip = intersection(c.ClipRect, display);
            if (c.UserCallback != nullptr || c.ElemCount == 0 || is_empty(clip)) continue;
            CommandTiles tiles;
            tiles.draw = {i, j, 0, c.ElemCount};
            tiles.first_box = boxes_.size();
            const uint64_t command =
                mix(mix(kSeed, clip), reinterpret_cast<uintptr_t>(c.TextureId));
            const ImDrawIdx *indices = list.IdxBuffer.Data + c.IdxOffset;
            const ImDrawVert *vertices = list.VtxBuffer.Data + c.VtxOffset;
            for (unsigned k = 0; k + 2 < c.ElemCount; k += 3) {
                const ImDrawVert &a = vertices[indices[k]];
                const ImDrawVert &b = vertices[indices[k + 1]];
                const ImDrawVert &d = vertices[indices[k + 2]];
                // The pixels it can touch: its box, a pixel wider for rounding, within the clip.
                const ImVec4 box = intersection({std::min({a.pos.x, b.pos.x, d.pos.x}) - 1,
                                                 std::min({a.pos.y, b.pos.y, d.pos.y}) - 1,
                                                 std::max({a.pos.x, b.pos.x, d.pos.x}) + 1,
                                                 std::max({a.pos.y, b.pos.y, d.pos.y}) + 1},
                                                clip);
                if (is_empty(box)) {
                    boxes_.push_back({}); // touches no tile
                    continue;
                }
                const uint64_t triangle = mix(mix(mix(command, a), b), d);
                const int x0 = std::max(0, static_cast<int>((box.x - display.x) / kTile));
                const int y0 = std::max(0, static_cast<int>((box.y - display.y) / kTile));
                const int x1 =
                    std::min(columns_ - 1, static_cast<int>((box.z - display.x) / kTile));
                const int y1 = std::min(rows_ - 1, static_cast<int>((box.w - display.y) / kTile));
                for (int y = y0; y <= y1; ++y)
                    for (int x = x0; x <= x1; ++x) {
                        uint64_t &t = tiles_[static_cast<size_t>(y * columns_ + x)];
                        t = (t ^ triangle) * kPrime;
                    }
                boxes_.push_back({x0, y0, x1, y1});
                tiles.box = {std::min(tiles.box.x0, x0), std::min(tiles.box.y0, y0),
                             std::max(tiles.box.x1, x1), std::max(tiles.box.y1, y1)};
            }
            commands_.push_back(tiles);
        }
    }
}

void FrameDamage::plan(const ImVec4 &display) {
    for (DamageRegion &region : regions_) {
        region.draws.clear();
        // The region's tiles (regions are made of whole tiles, cut at the display's edge).
        const TileBox r{static_cast<int>(std::floor((region.rect.x - display.x) / kTile)),
                        static_cast<int>(std::floor((region.rect.y - display.y) / kTile)),
                        static_cast<int>(std::ceil((region.rect.z - display.x) / kTile)) - 1,
                        static_cast<int>(std::ceil((region.rect.w - display.y) / kTile)) - 1};
        for (const CommandTiles &c : commands_) {
            if (!c.box.overlaps(r)) continue;
            // Only the command's triangles from the first to the last that reach the region.
            const size_t triangles = c.draw.count / 3;
            size_t first = triangles, last = 0;
            for (size_t t = 0; t < triangles; ++t)
                if (boxes_[c.first_box + t].overlaps(r)) {
                    first = std::min(first, t);
                    last = t;
                }
            if (first == triangles) continue;
            region.draws.push_back({c.draw.list, c.draw.command, static_cast<unsigned>(first * 3),
                                    static_cast<unsigned>((last - first + 1) * 3)});
        }
    }
}

// Commands with a callback are left out here and in hash_tiles: the app registers none, and
// ImGui's own ResetRenderState marker needs nothing from this renderer.
void FrameDamage::whole_frame(const ImDrawData &data, std::vector<DamageRegion> &regions) {
    regions.resize(1);
    regions[0].rect = {data.DisplayPos.x, data.DisplayPos.y, data.DisplayPos.x + data.DisplaySize.x,
                       data.DisplayPos.y + data.DisplaySize.y};
    regions[0].draws.clear();
    for (int i = 0; i < data.CmdListsCount; ++i) {
        const ImDrawList &list = *data.CmdLists[i];
        for (int j = 0; j < list.CmdBuffer.Size; ++j)
            if (list.CmdBuffer[j].UserCallback == nullptr && list.CmdBuffer[j].ElemCount > 0)
                regions[0].draws.push_back({i, j, 0, list.CmdBuffer[j].ElemCount});
    }
}

const std::vector<DamageRegion> &FrameDamage::update(const ImDrawData &data) {
    const ImVec4 display{data.DisplayPos.x, data.DisplayPos.y,
                         data.DisplayPos.x + data.DisplaySize.x,
                         data.DisplayPos.y + data.DisplaySize.y};
    damage_.clear();
    regions_.clear();
    const bool had_last = valid_;
    valid_ = true;

    const int columns = static_cast<int>(std::ceil(data.DisplaySize.x / kTile));
    const int rows = static_cast<int>(std::ceil(data.DisplaySize.y / kTile));
    // A canvas that changes size loses its pixels, even when its tile count stays the same.
    const bool whole = !had_last || std::memcmp(&display, &display_, sizeof display) != 0 ||
                       data.FramebufferScale.x != scale_.x || data.FramebufferScale.y != scale_.y;
    columns_ = std::max(columns, 0);
    rows_ = std::max(rows, 0);
    display_ = display;
    scale_ = data.FramebufferScale;
    hash_tiles(data, display);
    if (whole) {
        damage_.assign(1, display);
    } else {
        // Changed tiles, row by row in runs; a run continues the rectangle above it when it
        // spans the same columns.
        std::vector<size_t> open; // indices into damage_ of rectangles ending at this row
        for (int y = 0; y < rows_; ++y) {
            std::vector<size_t> next;
            for (int x = 0; x < columns_;) {
                const auto changed = [&](int col) {
                    const size_t t = static_cast<size_t>(y * columns_ + col);
                    return tiles_[t] != last_tiles_[t];
                };
                if (!changed(x)) {
                    ++x;
                    continue;
                }
                int end = x;
                while (end < columns_ && changed(end))
                    ++end;
                const ImVec4 run{
                    display.x + static_cast<float>(x) * kTile,
                    display.y + static_cast<float>(y) * kTile,
                    std::min(display.z, display.x + static_cast<float>(end) * kTile),
                    std::min(display.w, display.y + static_cast<float>(y + 1) * kTile)};
                bool extended = false;
                for (size_t i : open)
                    if (damage_[i].x == run.x && damage_[i].z == run.z) {
                        damage_[i].w = run.w;
                        next.push_back(i);
                        extended = true;
                        break;
                    }
                if (!extended) {
                    next.push_back(damage_.size());
                    damage_.push_back(run);
                }
                x = end;
            }
            open.swap(next);
        }
        merge_rectangles(damage_);
        limit_rectangles(damage_, kMaxRectangles);
    }
    tiles_.swap(last_tiles_);
    if (whole) {
        whole_frame(data, regions_);
        return regions_;
    }
    regions_.resize(damage_.size());
    for (size_t i = 0; i < damage_.size(); ++i)
        regions_[i].rect = damage_[i];
    plan(display);
    return regions_;
}

} // namespace nvmelab::ui
