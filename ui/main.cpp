// nvmelab-gui: the Dear ImGui front end of the nvmelab NVMe 1.3 SSD emulator.
#include "ui/app.h"

#ifdef __EMSCRIPTEN__
#include "ui/web/web_api.h"
#endif

int main(int argc, char **argv) {
#ifdef __EMSCRIPTEN__
    // In the browser the page passes its query string (location.search) as the one argument;
    // URL arguments replace the command line (ui/model/url_args.h).
    nvmelab::ui::web::set_query(argc > 1 ? argv[1] : "");
    return nvmelab::ui::run_app(nvmelab::ui::AppOptions{});
#else
    int code = 0;
    const auto options = nvmelab::ui::parse_options(argc, argv, &code);
    if (!options) return code;
    return nvmelab::ui::run_app(*options);
#endif
}
