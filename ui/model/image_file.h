#pragma once
// Screenshots: an RGBA image, a minimal PNG encoder (zlib deflate for the pixel data) and
// simple statistics the headless test checks (distinct colours, a checksum).
#include <cstdint>
#include <string>
#include <vector>

namespace nvmelab::ui {

struct RgbaImage {
    uint32_t width = 0;
    uint32_t height = 0;
    std::vector<uint8_t> pixels; // width * height * 4 bytes, rows top to bottom
};

// PNG bytes of the image (8-bit RGBA, no interlace). Throws std::runtime_error if zlib fails.
std::vector<uint8_t> encode_png(const RgbaImage &image);
// Writes the PNG; false (with errno set by the C library) when the file cannot be written.
bool write_png(const std::string &path, const RgbaImage &image);

// Number of distinct RGB colours (alpha ignored).
size_t distinct_colours(const RgbaImage &image);
// Adler-32 of the RGBA bytes: the same frame gives the same value.
uint32_t pixel_checksum(const RgbaImage &image);

} // namespace nvmelab::ui
