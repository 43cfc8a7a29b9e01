#pragma once
// Reads the current OpenGL back buffer (call after rendering, before swapping).
#include "ui/model/image_file.h"

namespace nvmelab::ui {

RgbaImage read_back_buffer(int width, int height);

} // namespace nvmelab::ui
