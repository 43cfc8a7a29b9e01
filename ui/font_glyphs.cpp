#include "ui/font_glyphs.h"

#include <array>
#include <cstring>

namespace nvmelab::ui {

namespace {

// 7x13 cells like ProggyClean's, '#' = ink. Rows from the top of the line.
struct PixelGlyph {
    ImWchar code;
    std::array<const char *, 13> rows;
};

constexpr int kWidth = 7;
constexpr int kHeight = 13;

const PixelGlyph kGlyphs[] = {
    {0x2013, // en dash
     {".......", ".......", ".......", ".......", ".......", ".......", ".#####.", ".......",
      ".......", ".......", ".......", ".......", "......."}},
    {0x2014, // em dash
     {".......", ".......", ".......", ".......", ".......", ".......", "#######", ".......",
      ".......", ".......", ".......", ".......", "......."}},
    {0x2192, // right arrow
     {".......", ".......", ".......", ".......", "....#..", ".....#.", "#######", ".....#.",
      "....#..", ".......", ".......", ".......", "......."}},
};

} // namespace

void add_extra_glyphs(ImGuiIO &io) {
    ImFontAtlas &atlas = *io.Fonts;
    ImFont *font = atlas.Fonts.empty() ? atlas.AddFontDefault() : atlas.Fonts[0];
    int ids[std::size(kGlyphs)];
    for (size_t i = 0; i < std::size(kGlyphs); ++i)
        ids[i] = atlas.AddCustomRectFontGlyph(font, kGlyphs[i].code, kWidth, kHeight,
                                              static_cast<float>(kWidth));
    atlas.Build();
    unsigned char *pixels = nullptr;
    int width = 0, height = 0;
    // The renderer later asks for the same RGBA buffer, so the glyphs drawn here are uploaded.
    atlas.GetTexDataAsRGBA32(&pixels, &width, &height);
    for (size_t i = 0; i < std::size(kGlyphs); ++i) {
        const ImFontAtlasCustomRect *r = atlas.GetCustomRectByIndex(ids[i]);
        for (int y = 0; y < kHeight; ++y)
            for (int x = 0; x < kWidth; ++x) {
                unsigned char *p = pixels + (static_cast<size_t>(r->Y + y) * width + r->X + x) * 4;
                const bool ink = kGlyphs[i].rows[static_cast<size_t>(y)][x] == '#';
                std::memset(p, 255, 3);
                p[3] = ink ? 255 : 0;
            }
    }
}

} // namespace nvmelab::ui
