// nvmelab-gui: the Dear ImGui front end of the nvmelab NVMe 1.3 SSD emulator.
#include "ui/app.h"

int main(int argc, char **argv) {
    int code = 0;
    const auto options = nvmelab::ui::parse_options(argc, argv, &code);
    if (!options) return code;
    return nvmelab::ui::run_app(*options);
}
