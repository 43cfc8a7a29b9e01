#include "ui/model/image_file.h"

#include <cstdio>
#include <stdexcept>
#include <unordered_set>

#include <zlib.h>

namespace nvmelab::ui {

namespace {

void put_u32be(std::vector<uint8_t> &out, uint32_t v) {
    out.push_back(static_cast<uint8_t>(v >> 24));
    out.push_back(static_cast<uint8_t>(v >> 16));
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

// A PNG chunk: length, type, data, CRC-32 over type and data.
void put_chunk(std::vector<uint8_t> &out, const char type[4], const std::vector<uint8_t> &data) {
    put_u32be(out, static_cast<uint32_t>(data.size()));
    const size_t type_at = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    const uLong crc = crc32(0L, out.data() + type_at, static_cast<uInt>(4 + data.size()));
    put_u32be(out, static_cast<uint32_t>(crc));
}

} // namespace

std::vector<uint8_t> encode_png(const RgbaImage &image) {
    if (image.pixels.size() != size_t{image.width} * image.height * 4)
        throw std::runtime_error("encode_png: pixel buffer does not match width * height * 4");
    // Each row: filter type 0 (None), then the RGBA bytes.
    const size_t stride = size_t{image.width} * 4;
    std::vector<uint8_t> raw;
    raw.reserve((stride + 1) * image.height);
    for (uint32_t y = 0; y < image.height; ++y) {
        raw.push_back(0);
        const uint8_t *row = image.pixels.data() + y * stride;
        raw.insert(raw.end(), row, row + stride);
    }
    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::vector<uint8_t> packed(packed_size);
    if (compress2(packed.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size()),
                  Z_BEST_SPEED) != Z_OK)
        throw std::runtime_error("encode_png: zlib compress2 failed");
    packed.resize(packed_size);

    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> ihdr;
    put_u32be(ihdr, image.width);
    put_u32be(ihdr, image.height);
    ihdr.push_back(8); // bit depth
    ihdr.push_back(6); // colour type: RGBA
    ihdr.push_back(0); // compression: deflate
    ihdr.push_back(0); // filter method
    ihdr.push_back(0); // no interlace
    put_chunk(png, "IHDR", ihdr);
    put_chunk(png, "IDAT", packed);
    put_chunk(png, "IEND", {});
    return png;
}

bool write_png(const std::string &path, const RgbaImage &image) {
    const std::vector<uint8_t> png = encode_png(image);
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(png.data(), 1, png.size(), f) == png.size();
    return std::fclose(f) == 0 && ok;
}

size_t distinct_colours(const RgbaImage &image) {
    std::unordered_set<uint32_t> seen;
    for (size_t i = 0; i + 3 < image.pixels.size(); i += 4)
        seen.insert(uint32_t{image.pixels[i]} | uint32_t{image.pixels[i + 1]} << 8 |
                    uint32_t{image.pixels[i + 2]} << 16);
    return seen.size();
}

uint32_t pixel_checksum(const RgbaImage &image) {
    return static_cast<uint32_t>(adler32(adler32(0L, Z_NULL, 0), image.pixels.data(),
                                         static_cast<uInt>(image.pixels.size())));
}

} // namespace nvmelab::ui
