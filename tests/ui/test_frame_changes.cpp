// FrameChangeDetector: a browser frame is drawn only when the draw data differs from the last.
#include "doctest/doctest.h"

#include "ui/frame_changes.h"

namespace {

using nvmelab::ui::FrameChangeDetector;

// One draw list with a quad, as ImGui would hand it to the renderer.
struct Frame {
    ImDrawList list{nullptr};
    ImDrawList *lists[1] = {&list};
    ImDrawData data;

    Frame() {
        for (int i = 0; i < 4; ++i) {
            ImDrawVert v{};
            v.pos = {static_cast<float>(i % 2) * 10, static_cast<float>(i / 2) * 10};
            v.col = IM_COL32(200, 200, 200, 255);
            list.VtxBuffer.push_back(v);
        }
        for (ImDrawIdx i : {0, 1, 2, 1, 3, 2})
            list.IdxBuffer.push_back(i);
        ImDrawCmd cmd;
        cmd.ClipRect = {0, 0, 100, 100};
        cmd.ElemCount = 6;
        list.CmdBuffer.push_back(cmd);
        data.Valid = true;
        data.CmdLists = lists;
        data.CmdListsCount = 1;
        data.TotalVtxCount = list.VtxBuffer.Size;
        data.TotalIdxCount = list.IdxBuffer.Size;
        data.DisplaySize = {100, 100};
        data.FramebufferScale = {1, 1};
    }
};

} // namespace

TEST_CASE("frame changes: the first frame, then only frames that differ") {
    FrameChangeDetector detector;
    Frame f;
    CHECK(detector.changed(f.data)); // nothing to compare with
    CHECK_FALSE(detector.changed(f.data));
    CHECK_FALSE(detector.changed(f.data));

    SUBCASE("a vertex colour") {
        f.list.VtxBuffer[2].col = IM_COL32(10, 200, 200, 255);
        CHECK(detector.changed(f.data));
        CHECK_FALSE(detector.changed(f.data));
    }
    SUBCASE("a vertex position") {
        f.list.VtxBuffer[3].pos.x += 1;
        CHECK(detector.changed(f.data));
    }
    SUBCASE("an index") {
        f.list.IdxBuffer[5] = 0;
        CHECK(detector.changed(f.data));
    }
    SUBCASE("a clip rectangle") {
        f.list.CmdBuffer[0].ClipRect.z = 50;
        CHECK(detector.changed(f.data));
    }
    SUBCASE("a texture") {
        f.list.CmdBuffer[0].TextureId = reinterpret_cast<ImTextureID>(7);
        CHECK(detector.changed(f.data));
    }
    SUBCASE("the display size") {
        f.data.DisplaySize = {200, 100};
        CHECK(detector.changed(f.data));
    }
    SUBCASE("a list more or less") {
        f.data.CmdListsCount = 0;
        CHECK(detector.changed(f.data));
        f.data.CmdListsCount = 1;
        CHECK(detector.changed(f.data));
    }
    SUBCASE("reset forgets the last frame") {
        detector.reset();
        CHECK(detector.changed(f.data));
        CHECK_FALSE(detector.changed(f.data));
    }
}
