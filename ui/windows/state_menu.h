#pragma once
// Save / load of the whole device + host state from the menu bar (state_file.h). Natively the
// state goes to a file named in a small dialog; in the browser it is downloaded and uploaded
// (web/nvmelab-web.js), and it is also kept in browser storage (web_api.cpp).
#include <string>

namespace nvmelab::ui {

class Session;
class WorkloadGenerator;

class StateMenu {
public:
    // The "State" menu of the main menu bar.
    void menu(Session &s, WorkloadGenerator &workload);
    // The dialogs the menu opens; call once per frame, outside any window.
    void draw(Session &s, WorkloadGenerator &workload);

private:
    enum class Pending { None, Save, Load };
    Pending open_ = Pending::None;
    Pending dialog_ = Pending::None;
    char path_[512] = "nvmelab-state.json";
    std::string message_;
    bool message_is_error_ = false;
};

} // namespace nvmelab::ui
