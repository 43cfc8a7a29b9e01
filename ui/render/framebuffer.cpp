// Reading back the rendered frame for screenshots (OpenGL 1.1 calls only, from libGL).
#include <SDL_opengl.h>

#include "ui/render/framebuffer.h"

namespace nvmelab::ui {

RgbaImage read_back_buffer(int width, int height) {
    RgbaImage image;
    if (width <= 0 || height <= 0) return image;
    image.width = static_cast<uint32_t>(width);
    image.height = static_cast<uint32_t>(height);
    const size_t stride = size_t{image.width} * 4;
    std::vector<uint8_t> bottom_up(stride * image.height);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
    // OpenGL rows start at the bottom; images start at the top. Alpha is forced opaque: the
    // framebuffer's alpha is whatever blending left there.
    image.pixels.resize(bottom_up.size());
    for (uint32_t y = 0; y < image.height; ++y) {
        const uint8_t *src = bottom_up.data() + (image.height - 1 - y) * stride;
        uint8_t *dst = image.pixels.data() + y * stride;
        for (size_t x = 0; x < stride; x += 4) {
            dst[x] = src[x];
            dst[x + 1] = src[x + 1];
            dst[x + 2] = src[x + 2];
            dst[x + 3] = 255;
        }
    }
    return image;
}

} // namespace nvmelab::ui
