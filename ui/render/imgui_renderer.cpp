// Draws Dear ImGui's draw data with OpenGL 3.0 / WebGL2 (see imgui_renderer.h for why not
// ImGui's own backend).
#include "ui/render/imgui_renderer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#include <emscripten/html5_webgl.h>
#else
#define GL_GLEXT_PROTOTYPES 1
#include <SDL_opengl.h>
#endif
#include <fmt/format.h>

namespace nvmelab::ui {

namespace {

// The attribute locations are bound before linking, so the same numbers serve every frame.
constexpr GLuint kPosition = 0;
constexpr GLuint kUv = 1;
constexpr GLuint kColour = 2;

// GLSL 1.30 (desktop OpenGL 3.0) and GLSL ES 3.00 (WebGL2) share these bodies; only the
// version line differs.
#ifdef __EMSCRIPTEN__
constexpr const char *kVersion = "#version 300 es\n";
#else
constexpr const char *kVersion = "#version 130\n";
#endif

constexpr const char *kVertexShader = R"(
uniform mat4 ProjMtx;
in vec2 Position;
in vec2 UV;
in vec4 Color;
out vec2 Frag_UV;
out vec4 Frag_Color;
void main() {
    Frag_UV = UV;
    Frag_Color = Color;
    gl_Position = ProjMtx * vec4(Position.xy, 0.0, 1.0);
}
)";

constexpr const char *kFragmentShader = R"(
#ifdef GL_ES
precision mediump float;
#endif
uniform sampler2D Texture;
in vec2 Frag_UV;
in vec4 Frag_Color;
out vec4 Out_Color;
void main() {
    Out_Color = Frag_Color * texture(Texture, Frag_UV.st);
}
)";

GLuint compile(GLenum kind, const char *body, std::string *error) {
    const GLuint shader = glCreateShader(kind);
    const char *parts[] = {kVersion, body};
    glShaderSource(shader, 2, parts, nullptr);
    glCompileShader(shader);
    GLint ok = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (ok == GL_TRUE) return shader;
    char log[1024] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    *error = fmt::format("the {} shader does not compile: {}",
                         kind == GL_VERTEX_SHADER ? "vertex" : "fragment", log);
    glDeleteShader(shader);
    return 0;
}

void set_vertex_layout(size_t first_vertex) {
    const size_t base = first_vertex * sizeof(ImDrawVert);
    const auto at = [base](size_t field) {
        return reinterpret_cast<const void *>(base + field); // an offset into the bound buffer
    };
    glVertexAttribPointer(kPosition, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert),
                          at(offsetof(ImDrawVert, pos)));
    glVertexAttribPointer(kUv, 2, GL_FLOAT, GL_FALSE, sizeof(ImDrawVert),
                          at(offsetof(ImDrawVert, uv)));
    glVertexAttribPointer(kColour, 4, GL_UNSIGNED_BYTE, GL_TRUE, sizeof(ImDrawVert),
                          at(offsetof(ImDrawVert, col)));
}

// Fills a buffer (bound to `target`), growing its storage only when the data does not fit.
void upload(GLenum target, GLuint buffer, size_t &capacity, const void *data, size_t bytes) {
    glBindBuffer(target, buffer);
    if (bytes > capacity) {
        capacity = std::max(bytes, capacity * 2);
        glBufferData(target, static_cast<GLsizeiptr>(capacity), nullptr, GL_STREAM_DRAW);
    }
    glBufferSubData(target, 0, static_cast<GLsizeiptr>(bytes), data);
}

void scissor(int x0, int y0, int x1, int y1) {
    glScissor(x0, y0, x1 - x0, y1 - y0);
}

} // namespace

ImGuiRenderer::~ImGuiRenderer() {
    shutdown();
}

bool ImGuiRenderer::init(std::string *error) {
    const GLuint vs = compile(GL_VERTEX_SHADER, kVertexShader, error);
    if (vs == 0) return false;
    const GLuint fs = compile(GL_FRAGMENT_SHADER, kFragmentShader, error);
    if (fs == 0) {
        glDeleteShader(vs);
        return false;
    }
    program_ = glCreateProgram();
    glAttachShader(program_, vs);
    glAttachShader(program_, fs);
    glBindAttribLocation(program_, kPosition, "Position");
    glBindAttribLocation(program_, kUv, "UV");
    glBindAttribLocation(program_, kColour, "Color");
    glLinkProgram(program_);
    glDetachShader(program_, vs);
    glDetachShader(program_, fs);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint linked = GL_FALSE;
    glGetProgramiv(program_, GL_LINK_STATUS, &linked);
    if (linked != GL_TRUE) {
        char log[1024] = {};
        glGetProgramInfoLog(program_, sizeof log, nullptr, log);
        *error = fmt::format("the shader program does not link: {}", log);
        shutdown();
        return false;
    }
#ifdef __EMSCRIPTEN__
    // Only a canvas that keeps its pixels between frames can be redrawn in part (the page asks
    // for one: web/nvmelab-web.js).
    EmscriptenWebGLContextAttributes attributes;
    partial_redraw_ =
        emscripten_webgl_get_context_attributes(emscripten_webgl_get_current_context(),
                                                &attributes) == EMSCRIPTEN_RESULT_SUCCESS &&
        attributes.preserveDrawingBuffer;
#endif
    projection_location_ = glGetUniformLocation(program_, "ProjMtx");
    texture_location_ = glGetUniformLocation(program_, "Texture");

    glGenVertexArrays(1, &vertex_array_);
    for (StreamBuffers &b : buffers_) {
        glGenBuffers(1, &b.vertices);
        glGenBuffers(1, &b.indices);
    }
    glBindVertexArray(vertex_array_);
    glEnableVertexAttribArray(kPosition);
    glEnableVertexAttribArray(kUv);
    glEnableVertexAttribArray(kColour);

    // The font atlas. ProggyClean is a pixel font drawn at whole pixels, one texel to one pixel,
    // and the app's style keeps lines out of the atlas, so nearest sampling shows the same
    // pixels as bilinear; software rasterizers (a browser without a GPU) draw it ~10% faster.
    ImGuiIO &io = ImGui::GetIO();
    unsigned char *pixels = nullptr;
    int width = 0;
    int height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
    glGenTextures(1, &font_texture_);
    glBindTexture(GL_TEXTURE_2D, font_texture_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(font_texture_)));
    io.BackendRendererName = "nvmelab_gl3";
    // Draw commands may start past vertex 65535 of their list (set_vertex_layout applies it), so
    // a window with more than 64 Ki vertices still works with 16-bit indices.
    io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
    return true;
}

void ImGuiRenderer::shutdown() {
    if (font_texture_ != 0) {
        glDeleteTextures(1, &font_texture_);
        if (ImGui::GetCurrentContext()) ImGui::GetIO().Fonts->SetTexID(nullptr);
    }
    for (StreamBuffers &b : buffers_) {
        if (b.vertices != 0) glDeleteBuffers(1, &b.vertices);
        if (b.indices != 0) glDeleteBuffers(1, &b.indices);
        b = {};
    }
    if (vertex_array_ != 0) glDeleteVertexArrays(1, &vertex_array_);
    if (program_ != 0) glDeleteProgram(program_);
    font_texture_ = vertex_array_ = program_ = 0;
    damage_.reset();
}

bool ImGuiRenderer::render(const ImDrawData &data, const ImVec4 &clear) {
    const auto fb_w = static_cast<int>(data.DisplaySize.x * data.FramebufferScale.x);
    const auto fb_h = static_cast<int>(data.DisplaySize.y * data.FramebufferScale.y);
    if (program_ == 0 || fb_w <= 0 || fb_h <= 0) return false;
    const ImVec2 origin = data.DisplayPos;
    const ImVec2 scale = data.FramebufferScale;
    // Display coordinates (y downwards) to framebuffer pixels (y upwards), rounded outwards.
    const auto to_pixels = [&](const ImVec4 &r) {
        const PixelRect p{static_cast<int>(std::floor((r.x - origin.x) * scale.x)),
                          fb_h - static_cast<int>(std::ceil((r.w - origin.y) * scale.y)),
                          static_cast<int>(std::ceil((r.z - origin.x) * scale.x)),
                          fb_h - static_cast<int>(std::floor((r.y - origin.y) * scale.y))};
        return p & PixelRect{0, 0, fb_w, fb_h};
    };
#ifdef __EMSCRIPTEN__
    // A WebGL canvas nobody draws to keeps showing its last frame, and one that keeps its pixels
    // needs only its damaged rectangles drawn again. (A desktop window's back buffer is
    // undefined after a swap, so there every frame is drawn whole.)
    const std::vector<DamageRegion> &damage = damage_.update(data);
    if (damage.empty()) return false;
    const std::vector<DamageRegion> *regions = &damage;
    if (!partial_redraw_) {
        FrameDamage::whole_frame(data, whole_);
        regions = &whole_;
    }
#else
    FrameDamage::whole_frame(data, whole_);
    const std::vector<DamageRegion> *regions = &whole_;
#endif
    if (regions->size() == 1) {
        const PixelRect only = to_pixels(regions->front().rect);
        drew_whole_ = only.x0 == 0 && only.y0 == 0 && only.x1 == fb_w && only.y1 == fb_h;
    } else {
        drew_whole_ = false;
    }

    // One upload of everything: the per-list vertex base is applied through the attribute
    // offsets, so ImGui's 16-bit indices stay valid.
    vertices_.clear();
    indices_.clear();
    list_bases_.clear();
    for (int i = 0; i < data.CmdListsCount; ++i) {
        const ImDrawList &list = *data.CmdLists[i];
        list_bases_.push_back({vertices_.size(), indices_.size()});
        vertices_.insert(vertices_.end(), list.VtxBuffer.begin(), list.VtxBuffer.end());
        indices_.insert(indices_.end(), list.IdxBuffer.begin(), list.IdxBuffer.end());
    }

    glViewport(0, 0, fb_w, fb_h);
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_CULL_FACE);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_STENCIL_TEST);
    glEnable(GL_SCISSOR_TEST);
    glClearColor(clear.x, clear.y, clear.z, clear.w);
    glUseProgram(program_);
    // Orthographic projection of ImGui's display rectangle onto clip space.
    const float l = data.DisplayPos.x;
    const float r = data.DisplayPos.x + data.DisplaySize.x;
    const float t = data.DisplayPos.y;
    const float b = data.DisplayPos.y + data.DisplaySize.y;
    const float projection[4][4] = {
        {2.0f / (r - l), 0.0f, 0.0f, 0.0f},
        {0.0f, 2.0f / (t - b), 0.0f, 0.0f},
        {0.0f, 0.0f, -1.0f, 0.0f},
        {(r + l) / (l - r), (t + b) / (b - t), 0.0f, 1.0f},
    };
    glUniformMatrix4fv(projection_location_, 1, GL_FALSE, &projection[0][0]);
    glUniform1i(texture_location_, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(vertex_array_);
    StreamBuffers &buffers = buffers_[next_buffers_];
    next_buffers_ = (next_buffers_ + 1) % std::size(buffers_);
    upload(GL_ARRAY_BUFFER, buffers.vertices, buffers.vertex_capacity, vertices_.data(),
           vertices_.size() * sizeof(ImDrawVert));
    upload(GL_ELEMENT_ARRAY_BUFFER, buffers.indices, buffers.index_capacity, indices_.data(),
           indices_.size() * sizeof(ImDrawIdx));
    glBindBuffer(GL_ARRAY_BUFFER, buffers.vertices); // the attribute pointers refer to it

    const GLenum index_type = sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT;
    GLuint bound_texture = 0;
    draw_calls_ = 0;
    redrawn_pixels_ = 0;
    // Each region is cleared and the draws that reach into it made again, in order, cut to the
    // region: its pixels come out as a whole frame's would.
    size_t layout_base = SIZE_MAX;
    for (const DamageRegion &region : *regions) {
        const PixelRect area = to_pixels(region.rect);
        if (area.empty()) continue;
        scissor(area.x0, area.y0, area.x1, area.y1);
        glClear(GL_COLOR_BUFFER_BIT);
        redrawn_pixels_ += static_cast<int64_t>(area.x1 - area.x0) * (area.y1 - area.y0);
        for (const PlannedDraw &d : region.draws) {
            const ImDrawCmd &cmd = data.CmdLists[d.list]->CmdBuffer[d.command];
            const auto [first_vertex, first_index] = list_bases_[static_cast<size_t>(d.list)];
            // The clip rectangle in framebuffer pixels, cut as ImGui's own backends cut it.
            const float x0 = (cmd.ClipRect.x - origin.x) * scale.x;
            const float y0 = (cmd.ClipRect.y - origin.y) * scale.y;
            const float x1 = (cmd.ClipRect.z - origin.x) * scale.x;
            const float y1 = (cmd.ClipRect.w - origin.y) * scale.y;
            if (x1 <= x0 || y1 <= y0) continue;
            const auto gx = static_cast<int>(x0);
            const auto gy = static_cast<int>(static_cast<float>(fb_h) - y1);
            const PixelRect clip =
                PixelRect{gx, gy, gx + static_cast<int>(x1 - x0), gy + static_cast<int>(y1 - y0)} &
                area;
            if (clip.empty()) continue;
            scissor(clip.x0, clip.y0, clip.x1, clip.y1);
            if (first_vertex + cmd.VtxOffset != layout_base) {
                layout_base = first_vertex + cmd.VtxOffset;
                set_vertex_layout(layout_base);
            }
            const auto texture = static_cast<GLuint>(reinterpret_cast<intptr_t>(cmd.GetTexID()));
            if (texture != bound_texture) {
                glBindTexture(GL_TEXTURE_2D, texture);
                bound_texture = texture;
            }
            glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(d.count), index_type,
                           reinterpret_cast<const void *>((first_index + cmd.IdxOffset + d.first) *
                                                          sizeof(ImDrawIdx)));
            ++draw_calls_;
        }
    }
    glDisable(GL_SCISSOR_TEST);
    return true;
}

} // namespace nvmelab::ui
