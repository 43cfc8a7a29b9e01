#pragma once
// Glyphs the lesson and UI text use beyond the built-in font (ProggyClean covers U+0020-U+00FF
// only, so "§3.1.8–§3.1.10" drew its en dash as "?"): the en dash, the em dash and the right
// arrow, drawn into the font atlas as pixel glyphs of the built-in font's size.
#include "imgui.h"

namespace nvmelab::ui {

// Call after ImGui::CreateContext and before the renderer reads the font atlas.
void add_extra_glyphs(ImGuiIO &io);

} // namespace nvmelab::ui
