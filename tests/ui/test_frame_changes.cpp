// FrameDamage: a browser frame redraws only the rectangles whose pixels may have changed.
#include "doctest/doctest.h"

#include <vector>

#include "ui/frame_changes.h"

namespace {

using nvmelab::ui::FrameDamage;
using nvmelab::ui::merge_rectangles;

// A window's draw list with one quad, clipped to `clip`, as ImGui would hand it over.
struct Window {
    ImDrawList list{nullptr};

    Window(const char *owner, ImVec4 clip) {
        list._OwnerName = owner;
        for (int i = 0; i < 4; ++i) {
            ImDrawVert v{};
            v.pos = {clip.x + static_cast<float>(i % 2) * (clip.z - clip.x),
                     clip.y + static_cast<float>(i / 2) * (clip.w - clip.y)};
            v.col = IM_COL32(200, 200, 200, 255);
            list.VtxBuffer.push_back(v);
        }
        for (ImDrawIdx i : {0, 1, 2, 1, 3, 2})
            list.IdxBuffer.push_back(i);
        ImDrawCmd cmd;
        cmd.ClipRect = clip;
        cmd.ElemCount = 6;
        list.CmdBuffer.push_back(cmd);
    }

    // Moves the window (its vertices and clip rectangle) to x, y and resizes it to w x h.
    void place(float x, float y, float w, float h) {
        for (int i = 0; i < 4; ++i)
            list.VtxBuffer[i].pos = {x + static_cast<float>(i % 2) * w,
                                     y + static_cast<float>(i / 2) * h};
        list.CmdBuffer[0].ClipRect = {x, y, x + w, y + h};
    }
};

// Two windows side by side on a 200x100 display.
struct Frame {
    Window left{"Left", {0, 0, 100, 100}};
    Window right{"Right", {120, 10, 180, 90}};
    ImDrawList *lists[2] = {&left.list, &right.list};
    ImDrawData data;

    Frame() {
        data.Valid = true;
        data.CmdLists = lists;
        data.CmdListsCount = 2;
        data.DisplaySize = {200, 100};
        data.FramebufferScale = {1, 1};
    }
};

bool same(const ImVec4 &a, const ImVec4 &b) {
    return a.x == b.x && a.y == b.y && a.z == b.z && a.w == b.w;
}

std::vector<ImVec4> rects(std::initializer_list<ImVec4> r) {
    return r;
}

bool equal(const std::vector<ImVec4> &a, const std::vector<ImVec4> &b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
    return true;
}

const ImVec4 kWhole{0, 0, 200, 100};

} // namespace

TEST_CASE("frame damage: the first frame whole, then only what changed") {
    FrameDamage damage;
    Frame f;
    CHECK(equal(damage.update(f.data), rects({kWhole}))); // nothing to compare with
    CHECK(damage.update(f.data).empty());
    CHECK(damage.update(f.data).empty());

    SUBCASE("a vertex colour damages that window only") {
        f.right.list.VtxBuffer[2].col = IM_COL32(10, 200, 200, 255);
        CHECK(equal(damage.update(f.data), rects({{120, 10, 180, 90}})));
        CHECK(damage.update(f.data).empty());
    }
    SUBCASE("a vertex position") {
        f.left.list.VtxBuffer[3].pos.x += 1;
        CHECK(equal(damage.update(f.data), rects({{0, 0, 100, 100}})));
    }
    SUBCASE("an index") {
        f.left.list.IdxBuffer[5] = 0;
        CHECK(equal(damage.update(f.data), rects({{0, 0, 100, 100}})));
    }
    SUBCASE("a texture") {
        f.right.list.CmdBuffer[0].TextureId = reinterpret_cast<ImTextureID>(7);
        CHECK(equal(damage.update(f.data), rects({{120, 10, 180, 90}})));
    }
    SUBCASE("a window that moves damages where it was and where it is") {
        f.right.place(150, 10, 40, 30);
        CHECK(equal(damage.update(f.data), rects({{120, 10, 190, 90}})));
        // Apart: two rectangles.
        f.right.place(150, 60, 10, 10);
        f.left.place(0, 0, 10, 10);
        CHECK(equal(damage.update(f.data),
                    rects({{0, 0, 100, 100}, {150, 10, 190, 40}, {150, 60, 160, 70}})));
    }
    SUBCASE("damage stays within the display") {
        f.right.place(150, -20, 110, 60);
        CHECK(equal(damage.update(f.data), rects({{120, 10, 180, 90}, {150, 0, 200, 40}})));
    }
    SUBCASE("a title bar clipped to the whole display damages only where it is") {
        // ImGui clips a window's frame and title bar to the display, not to the window.
        ImDrawCmd title = f.right.list.CmdBuffer[0];
        title.ClipRect = {0, 0, 200, 100};
        f.right.list.CmdBuffer.push_back(title);
        CHECK(equal(damage.update(f.data), rects({{120, 10, 180, 90}})));
        f.right.list.VtxBuffer[0].col = 0;
        CHECK(equal(damage.update(f.data), rects({{120, 10, 180, 90}})));
        // And clipping still counts: the vertices reach beyond the clip rectangles.
        f.right.list.CmdBuffer[1].ClipRect = {120, 10, 150, 50};
        f.right.list.VtxBuffer[0].col = 1;
        f.right.place(120, 10, 100, 100);
        f.right.list.CmdBuffer[0].ClipRect = {120, 10, 150, 50};
        CHECK(equal(damage.update(f.data), rects({{120, 10, 180, 90}})));
        f.right.list.VtxBuffer[0].col = 2;
        CHECK(equal(damage.update(f.data), rects({{120, 10, 150, 50}})));
    }
    SUBCASE("a command that draws nothing covers nothing") {
        f.right.list.CmdBuffer[0].ElemCount = 0;
        CHECK(equal(damage.update(f.data), rects({{120, 10, 180, 90}}))); // where it was
        f.right.list.VtxBuffer[0].col = 0;
        CHECK(damage.update(f.data).empty()); // changed, but nowhere to be seen
    }
    SUBCASE("windows in another order damage everything") {
        f.lists[0] = &f.right.list;
        f.lists[1] = &f.left.list;
        CHECK(equal(damage.update(f.data), rects({kWhole})));
    }
    SUBCASE("a window more or less damages everything") {
        f.data.CmdListsCount = 1;
        CHECK(equal(damage.update(f.data), rects({kWhole})));
        f.data.CmdListsCount = 2;
        CHECK(equal(damage.update(f.data), rects({kWhole})));
    }
    SUBCASE("another window in the same place damages everything") {
        f.right.list._OwnerName = "Tooltip";
        CHECK(equal(damage.update(f.data), rects({kWhole})));
    }
    SUBCASE("the display size or scale") {
        f.data.DisplaySize = {300, 100};
        CHECK(equal(damage.update(f.data), rects({{0, 0, 300, 100}})));
        f.data.FramebufferScale = {2, 2};
        CHECK(equal(damage.update(f.data), rects({{0, 0, 300, 100}})));
        CHECK(damage.update(f.data).empty());
    }
    SUBCASE("reset forgets the last frame") {
        damage.reset();
        CHECK(equal(damage.update(f.data), rects({kWhole})));
        CHECK(damage.update(f.data).empty());
    }
}

TEST_CASE("frame damage: rectangles merge only where that covers no more pixels") {
    const auto merged = [](std::vector<ImVec4> r) {
        merge_rectangles(r);
        return r;
    };
    CHECK(equal(merged({{0, 0, 10, 10}, {2, 2, 5, 5}}), rects({{0, 0, 10, 10}}))); // inside
    CHECK(equal(merged({{2, 2, 5, 5}, {0, 0, 10, 10}}), rects({{0, 0, 10, 10}})));
    CHECK(equal(merged({{0, 0, 10, 10}, {0, 0, 10, 10}}), rects({{0, 0, 10, 10}}))); // the same
    CHECK(
        equal(merged({{0, 0, 10, 10}, {10, 0, 20, 10}}), rects({{0, 0, 20, 10}}))); // side by side
    // Corners that overlap, or windows a pixel apart: their box would cover more.
    CHECK(equal(merged({{0, 0, 10, 10}, {5, 5, 15, 15}}), rects({{0, 0, 10, 10}, {5, 5, 15, 15}})));
    CHECK(equal(merged({{0, 0, 100, 10}, {0, 11, 10, 100}}),
                rects({{0, 0, 100, 10}, {0, 11, 10, 100}})));
    CHECK(merged({{3, 3, 3, 9}, {5, 5, 4, 9}}).empty()); // empty ones go
    // A merge can make another possible: [a][b] side by side, then a box as tall below them.
    CHECK(
        equal(merged({{0, 0, 10, 10}, {0, 10, 20, 20}, {10, 0, 20, 10}}), rects({{0, 0, 20, 20}})));

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
