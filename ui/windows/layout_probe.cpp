#include "ui/windows/layout_probe.h"

namespace nvmelab::ui {

LayoutProbe &layout_probe() {
    static LayoutProbe probe;
    return probe;
}

} // namespace nvmelab::ui
