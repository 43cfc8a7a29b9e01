// FrameDamage: a browser frame redraws only the tiles whose pixels may have changed, and each
// damaged rectangle only the triangles that reach into it.
#include "doctest/doctest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ui/render/frame_damage.h"

namespace {

using nvmelab::ui::DamageRegion;
using nvmelab::ui::FrameDamage;
using nvmelab::ui::limit_rectangles;
using nvmelab::ui::merge_rectangles;
using nvmelab::ui::PlannedDraw;

constexpr float kTile = FrameDamage::kTile;

// A window's draw list: one command of quads (two triangles each), clipped to `clip`.
struct Window {
    ImDrawList list{nullptr};

    explicit Window(const char *owner, ImVec4 clip) {
        list._OwnerName = owner;
        ImDrawCmd cmd;
        cmd.ClipRect = clip;
        list.CmdBuffer.push_back(cmd);
    }
    // Adds a quad to the last command; returns its first index.
    unsigned quad(ImVec4 r, ImU32 col = IM_COL32(200, 200, 200, 255)) {
        const auto base = static_cast<ImDrawIdx>(list.VtxBuffer.Size);
        for (int i = 0; i < 4; ++i) {
            ImDrawVert v{};
            v.pos = {i % 2 ? r.z : r.x, i / 2 ? r.w : r.y};
            v.col = col;
            list.VtxBuffer.push_back(v);
        }
        const unsigned first = list.CmdBuffer.back().ElemCount;
        for (int i : {0, 1, 2, 1, 3, 2})
            list.IdxBuffer.push_back(static_cast<ImDrawIdx>(base + i));
        list.CmdBuffer.back().ElemCount += 6;
        return first;
    }
    void colour(int quad, ImU32 col) {
        for (int i = 0; i < 4; ++i)
            list.VtxBuffer[quad * 4 + i].col = col;
    }
    void move(int quad, float dx, float dy) {
        for (int i = 0; i < 4; ++i) {
            list.VtxBuffer[quad * 4 + i].pos.x += dx;
            list.VtxBuffer[quad * 4 + i].pos.y += dy;
        }
    }
};

struct Frame {
    std::vector<ImDrawList *> lists;
    ImDrawData data;

    Frame(std::initializer_list<Window *> windows, ImVec2 size = {200, 100}) {
        for (Window *w : windows)
            lists.push_back(&w->list);
        data.Valid = true;
        data.DisplaySize = size;
        data.FramebufferScale = {1, 1};
        sync();
    }
    void sync() {
        data.CmdLists = lists.data();
        data.CmdListsCount = static_cast<int>(lists.size());
    }
};

bool same(const ImVec4 &a, const ImVec4 &b) {
    return a.x == b.x && a.y == b.y && a.z == b.z && a.w == b.w;
}

bool equal(const std::vector<ImVec4> &a, const std::vector<ImVec4> &b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

std::vector<ImVec4> rects_of(const std::vector<DamageRegion> &regions) {
    std::vector<ImVec4> r;
    for (const DamageRegion &d : regions)
        r.push_back(d.rect);
    return r;
}

bool draws_are(const DamageRegion &region, std::vector<PlannedDraw> expected) {
    if (region.draws.size() != expected.size()) return false;
    for (size_t i = 0; i < expected.size(); ++i) {
        const PlannedDraw &a = region.draws[i], &b = expected[i];
        if (a.list != b.list || a.command != b.command || a.first != b.first || a.count != b.count)
            return false;
    }
    return true;
}

// The tiles a box touches, as a rectangle of whole tiles cut at the display (200 x 100).
ImVec4 tiles_of(ImVec4 r) {
    const auto lo = [](float v) { return std::floor(v / kTile) * kTile; };
    const auto hi = [](float v, float edge) {
        return std::min(edge, (std::floor(v / kTile) + 1) * kTile);
    };
    return {lo(r.x), lo(r.y), hi(r.z, 200), hi(r.w, 100)};
}

} // namespace

TEST_CASE("frame damage: the first frame whole, then only the tiles that changed") {
    Window left("Left", {0, 0, 100, 100});
    left.quad({0, 0, 100, 100});
    Window right("Right", {120, 10, 180, 90});
    right.quad({120, 10, 180, 90});
    Frame f({&left, &right});
    FrameDamage damage;

    const auto &first = damage.update(f.data); // nothing to compare with
    REQUIRE(first.size() == 1);
    CHECK(same(first[0].rect, {0, 0, 200, 100}));
    CHECK(draws_are(first[0], {{0, 0, 0, 6}, {1, 0, 0, 6}}));
    CHECK(damage.update(f.data).empty());
    CHECK(damage.update(f.data).empty());

    // The right window's tiles: its box a pixel wider for rounding, within its clip.
    const ImVec4 right_tiles = tiles_of({120, 10, 180, 90});

    SUBCASE("a vertex colour damages that window's tiles and draws only it") {
        right.colour(0, IM_COL32(10, 200, 200, 255));
        const auto &d = damage.update(f.data);
        REQUIRE(d.size() == 1);
        CHECK(same(d[0].rect, right_tiles));
        CHECK(draws_are(d[0], {{1, 0, 0, 6}}));
        CHECK(damage.update(f.data).empty());
    }
    SUBCASE("an index, a texture or a texture coordinate") {
        right.list.IdxBuffer[5] = 0;
        CHECK(equal(rects_of(damage.update(f.data)), {right_tiles}));
        right.list.CmdBuffer[0].TextureId = reinterpret_cast<ImTextureID>(7);
        CHECK(equal(rects_of(damage.update(f.data)), {right_tiles}));
        right.list.VtxBuffer[2].uv.y += 0.25f;
        CHECK(equal(rects_of(damage.update(f.data)), {right_tiles}));
        right.list.VtxBuffer[1].uv.x += 0.25f;
        CHECK(equal(rects_of(damage.update(f.data)), {right_tiles}));
        CHECK(damage.update(f.data).empty());
    }
    SUBCASE("a window that moves damages where it was and where it is") {
        right.move(0, 0, 30);
        right.list.CmdBuffer[0].ClipRect = {120, 40, 180, 100};
        CHECK(equal(rects_of(damage.update(f.data)), {tiles_of({120, 10, 180, 100})}));
    }
    SUBCASE("what changes outside its clip rectangle damages nothing") {
        right.quad({10, 10, 20, 20}); // clipped away entirely
        CHECK(damage.update(f.data).empty());
        right.colour(1, IM_COL32(1, 2, 3, 255));
        CHECK(damage.update(f.data).empty());
    }
    SUBCASE("two changes apart: a rectangle each; side by side rows make one") {
        left.colour(0, IM_COL32(1, 1, 1, 255));
        right.colour(0, IM_COL32(1, 1, 1, 255));
        // Left reaches tile column 6 (x 96-112), right starts at column 7: each row is one
        // run, 7 rows of the left and 6 of the right.
        CHECK(equal(rects_of(damage.update(f.data)), {{0, 0, 192, 96}, {0, 96, 112, 100}}));
    }
    SUBCASE("a window on top: its tiles, with what lies under it drawn first") {
        Window tip("Tooltip", {20, 20, 40, 40});
        tip.quad({20, 20, 40, 40});
        f.lists.push_back(&tip.list);
        f.sync();
        const auto &d = damage.update(f.data);
        REQUIRE(d.size() == 1);
        CHECK(same(d[0].rect, {16, 16, 48, 48}));
        CHECK(draws_are(d[0], {{0, 0, 0, 6}, {2, 0, 0, 6}}));
        // Under the left window instead of over it: the same tiles, drawn in the new order.
        f.lists = {&tip.list, &left.list, &right.list};
        f.sync();
        const auto &under = damage.update(f.data);
        REQUIRE(under.size() == 1);
        CHECK(same(under[0].rect, {16, 16, 48, 48}));
        CHECK(draws_are(under[0], {{0, 0, 0, 6}, {1, 0, 0, 6}}));
        // Gone: its tiles again.
        f.lists = {&left.list, &right.list};
        f.sync();
        CHECK(equal(rects_of(damage.update(f.data)), {{16, 16, 48, 48}}));
    }
    SUBCASE("the display size or scale draws everything") {
        // A canvas a few pixels narrower has as many tiles, but its pixels are gone.
        f.data.DisplaySize = {199, 100};
        CHECK(equal(rects_of(damage.update(f.data)), {{0, 0, 199, 100}}));
        f.data.DisplaySize = {300, 100};
        CHECK(equal(rects_of(damage.update(f.data)), {{0, 0, 300, 100}}));
        f.data.FramebufferScale = {2, 2};
        CHECK(equal(rects_of(damage.update(f.data)), {{0, 0, 300, 100}}));
        CHECK(damage.update(f.data).empty());
    }
    SUBCASE("reset forgets the last frame") {
        damage.reset();
        CHECK(equal(rects_of(damage.update(f.data)), {{0, 0, 200, 100}}));
        CHECK(damage.update(f.data).empty());
    }
}

TEST_CASE("frame damage: a region draws only the triangles that reach into it") {
    // One command of four small quads in a row, like a line of text.
    Window text("Text", {0, 0, 200, 100});
    const unsigned firsts[4] = {text.quad({2, 2, 14, 14}), text.quad({34, 2, 46, 14}),
                                text.quad({66, 2, 78, 14}), text.quad({98, 2, 110, 14})};
    Frame f({&text});
    FrameDamage damage;
    damage.update(f.data);
    text.colour(2, IM_COL32(255, 0, 0, 255));
    const auto &d = damage.update(f.data);
    REQUIRE(d.size() == 1);
    CHECK(same(d[0].rect, {64, 0, 80, 16}));
    CHECK(draws_are(d[0], {{0, 0, firsts[2], 6}}));
    // Two more (the red one stays red: not damaged again): a region and a range each.
    text.colour(1, IM_COL32(0, 255, 0, 255));
    text.colour(3, IM_COL32(0, 255, 0, 255));
    const auto &two = damage.update(f.data);
    CHECK(equal(rects_of(two), {{32, 0, 48, 16}, {96, 0, 112, 16}}));
    REQUIRE(two.size() == 2);
    CHECK(draws_are(two[0], {{0, 0, firsts[1], 6}}));
    CHECK(draws_are(two[1], {{0, 0, firsts[3], 6}}));
}

TEST_CASE("frame damage: the whole frame's plan lists every command that draws") {
    Window w("W", {0, 0, 50, 50});
    w.quad({0, 0, 10, 10});
    w.list.CmdBuffer.push_back(ImDrawCmd{}); // draws nothing
    ImDrawCmd callback;
    callback.UserCallback = ImDrawCallback_ResetRenderState;
    w.list.CmdBuffer.push_back(callback);
    w.list.CmdBuffer.push_back(ImDrawCmd{});
    w.list.CmdBuffer.back().ClipRect = {0, 0, 50, 50};
    w.quad({10, 10, 20, 20});
    Frame f({&w});
    std::vector<DamageRegion> plan;
    FrameDamage::whole_frame(f.data, plan);
    REQUIRE(plan.size() == 1);
    CHECK(same(plan[0].rect, {0, 0, 200, 100}));
    CHECK(draws_are(plan[0], {{0, 0, 0, 6}, {0, 3, 0, 6}}));
}

// The property that matters: starting from the last frame's pixels, clearing each damaged
// region and making its planned draws, cut to the region, gives exactly the pixels of the new
// frame drawn whole. Checked with a small rasteriser (pixel centres, scissors as the renderer
// cuts them, and an order-dependent "blend") over random frames and random changes.
namespace {

using Canvas = std::vector<uint32_t>;
constexpr int kW = 200, kH = 100;

struct Cut {
    int x0, y0, x1, y1;
};

Cut cut(const ImVec4 &r) {
    return {std::max(0, static_cast<int>(std::floor(r.x))),
            std::max(0, static_cast<int>(std::floor(r.y))),
            std::min(kW, static_cast<int>(std::ceil(r.z))),
            std::min(kH, static_cast<int>(std::ceil(r.w)))};
}

float edge(ImVec2 a, ImVec2 b, float x, float y) {
    return (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
}

void draw(Canvas &c, const ImDrawData &data, const PlannedDraw &d, Cut region) {
    const ImDrawList &list = *data.CmdLists[d.list];
    const ImDrawCmd &cmd = list.CmdBuffer[d.command];
    // The renderer's scissor: the clip rectangle truncated, then cut to the region.
    const Cut clip{
        static_cast<int>(cmd.ClipRect.x), static_cast<int>(cmd.ClipRect.y),
        static_cast<int>(cmd.ClipRect.x) + static_cast<int>(cmd.ClipRect.z - cmd.ClipRect.x),
        static_cast<int>(cmd.ClipRect.y) + static_cast<int>(cmd.ClipRect.w - cmd.ClipRect.y)};
    const Cut s{std::max(clip.x0, region.x0), std::max(clip.y0, region.y0),
                std::min(clip.x1, region.x1), std::min(clip.y1, region.y1)};
    for (unsigned k = d.first; k + 2 < d.first + d.count; k += 3) {
        const ImDrawVert &a = list.VtxBuffer[cmd.VtxOffset + list.IdxBuffer[cmd.IdxOffset + k]];
        const ImDrawVert &b = list.VtxBuffer[cmd.VtxOffset + list.IdxBuffer[cmd.IdxOffset + k + 1]];
        const ImDrawVert &e = list.VtxBuffer[cmd.VtxOffset + list.IdxBuffer[cmd.IdxOffset + k + 2]];
        for (int y = s.y0; y < s.y1; ++y)
            for (int x = s.x0; x < s.x1; ++x) {
                const float px = static_cast<float>(x) + 0.5f, py = static_cast<float>(y) + 0.5f;
                const float w0 = edge(a.pos, b.pos, px, py), w1 = edge(b.pos, e.pos, px, py),
                            w2 = edge(e.pos, a.pos, px, py);
                if ((w0 >= 0 && w1 >= 0 && w2 >= 0) || (w0 <= 0 && w1 <= 0 && w2 <= 0)) {
                    uint32_t &p = c[static_cast<size_t>(y * kW + x)];
                    p = p * 31u + a.col + b.col * 7u + e.col * 13u;
                }
            }
    }
}

void paint(Canvas &c, const ImDrawData &data, const std::vector<DamageRegion> &regions) {
    for (const DamageRegion &r : regions) {
        const Cut area = cut(r.rect);
        for (int y = area.y0; y < area.y1; ++y)
            for (int x = area.x0; x < area.x1; ++x)
                c[static_cast<size_t>(y * kW + x)] = 0;
        for (const PlannedDraw &d : r.draws)
            draw(c, data, d, area);
    }
}

} // namespace

TEST_CASE("frame damage: redrawn regions add up to the whole frame, pixel for pixel") {
    uint32_t seed = 7;
    const auto next = [&seed](uint32_t n) {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) % n;
    };
    const auto coord = [&](uint32_t n) { return static_cast<float>(next(n * 4)) / 4.0f; };
    size_t partial_frames = 0;
    for (int round = 0; round < 40; ++round) {
        std::vector<Window> windows;
        windows.reserve(4);
        for (int w = 0; w < 4; ++w) {
            const float x = static_cast<float>(next(150)), y = static_cast<float>(next(70));
            windows.emplace_back("W", ImVec4{x, y, x + 10 + static_cast<float>(next(60)),
                                             y + 10 + static_cast<float>(next(40))});
            for (int q = 0; q < 6; ++q) {
                const float qx = x - 4 + coord(60), qy = y - 4 + coord(40);
                windows.back().quad({qx, qy, qx + 1 + coord(20), qy + 1 + coord(20)},
                                    next(1u << 30));
            }
        }
        Frame f({&windows[0], &windows[1], &windows[2], &windows[3]});
        FrameDamage damage;
        Canvas screen(kW * kH, 0);
        paint(screen, f.data, damage.update(f.data));
        for (int change = 0; change < 10; ++change) {
            Window &w = windows[next(4)];
            const int q = static_cast<int>(next(6));
            switch (next(5)) {
            case 0:
                w.colour(q, next(1u << 30));
                break;
            case 1:
                w.move(q, coord(8) - 4, coord(8) - 4);
                break;
            case 2: // the windows change order
                std::swap(f.lists[next(4)], f.lists[next(4)]);
                f.sync();
                break;
            case 3: // only the clip rectangle changes (a window's content scrolls under it)
                w.list.CmdBuffer[0].ClipRect.z -= 3;
                w.list.CmdBuffer[0].ClipRect.y += 1;
                break;
            default: // a window moves with its clip rectangle
                for (int i = 0; i < 6; ++i)
                    w.move(i, 3, -2);
                w.list.CmdBuffer[0].ClipRect.x += 3;
                w.list.CmdBuffer[0].ClipRect.z += 3;
                w.list.CmdBuffer[0].ClipRect.y -= 2;
                w.list.CmdBuffer[0].ClipRect.w -= 2;
                break;
            }
            const std::vector<DamageRegion> &regions = damage.update(f.data);
            partial_frames +=
                !regions.empty() && !(regions.size() == 1 && same(regions[0].rect, {0, 0, kW, kH}));
            paint(screen, f.data, regions);
            std::vector<DamageRegion> whole;
            FrameDamage::whole_frame(f.data, whole);
            Canvas expected(kW * kH, 0);
            paint(expected, f.data, whole);
            CAPTURE(round);
            CAPTURE(change);
            REQUIRE(screen == expected);
        }
    }
    CHECK(partial_frames > 200); // most frames were drawn in part
}

TEST_CASE("frame damage: rectangles merge only where that covers no more pixels") {
    const auto merged = [](std::vector<ImVec4> r) {
        merge_rectangles(r);
        return r;
    };
    CHECK(equal(merged({{0, 0, 10, 10}, {2, 2, 5, 5}}), {{0, 0, 10, 10}})); // inside
    CHECK(equal(merged({{2, 2, 5, 5}, {0, 0, 10, 10}}), {{0, 0, 10, 10}}));
    CHECK(equal(merged({{0, 0, 10, 10}, {0, 0, 10, 10}}), {{0, 0, 10, 10}}));  // the same
    CHECK(equal(merged({{0, 0, 10, 10}, {10, 0, 20, 10}}), {{0, 0, 20, 10}})); // side by side
    // Corners that overlap, or windows a pixel apart: their box would cover more.
    CHECK(equal(merged({{0, 0, 10, 10}, {5, 5, 15, 15}}), {{0, 0, 10, 10}, {5, 5, 15, 15}}));
    CHECK(equal(merged({{0, 0, 100, 10}, {0, 11, 10, 100}}), {{0, 0, 100, 10}, {0, 11, 10, 100}}));
    CHECK(merged({{3, 3, 3, 9}, {5, 5, 4, 9}}).empty()); // empty ones go
    // A merge can make another possible: [a][b] side by side, then a box as wide below them.
    CHECK(equal(merged({{0, 0, 10, 10}, {0, 10, 20, 20}, {10, 0, 20, 10}}), {{0, 0, 20, 20}}));

    SUBCASE("random rectangles: every one still covered, never more area to draw") {
        unsigned seed = 12345;
        const auto next = [&seed](unsigned n) {
            seed = seed * 1103515245u + 12345u;
            return static_cast<float>((seed >> 16) % n);
        };
        size_t merges = 0;
        for (int round = 0; round < 300; ++round) {
            std::vector<ImVec4> in;
            for (int i = 0; i < 10; ++i) {
                // Coarse positions, so that containment and side-by-side pairs occur.
                const float x = next(8) * 10, y = next(8) * 10;
                in.push_back({x, y, x + next(5) * 10, y + next(5) * 10});
            }
            const std::vector<ImVec4> out = merged(in);
            float in_area = 0, out_area = 0;
            for (const ImVec4 &r : in) {
                if (r.z <= r.x || r.w <= r.y) continue;
                in_area += (r.z - r.x) * (r.w - r.y);
                bool inside = false;
                for (const ImVec4 &o : out)
                    inside |= o.x <= r.x && o.y <= r.y && r.z <= o.z && r.w <= o.w;
                CHECK(inside);
            }
            for (const ImVec4 &o : out) {
                CHECK(o.z > o.x);
                CHECK(o.w > o.y);
                out_area += (o.z - o.x) * (o.w - o.y);
            }
            CHECK(out_area <= in_area);
            merges += in.size() - out.size();
        }
        CHECK(merges > 300); // the cases above did happen
    }
}

TEST_CASE("frame damage: past the limit, the closest rectangles merge") {
    std::vector<ImVec4> r{{0, 0, 10, 10}, {100, 0, 110, 10}, {12, 0, 22, 10}, {0, 50, 10, 60}};
    limit_rectangles(r, 4);
    CHECK(r.size() == 4); // within the limit: untouched
    limit_rectangles(r, 3);
    // The pair that adds the least area: the two 2 units apart.
    CHECK(equal(r, {{0, 0, 22, 10}, {100, 0, 110, 10}, {0, 50, 10, 60}}));
    limit_rectangles(r, 1);
    CHECK(equal(r, {{0, 0, 110, 60}}));
}
