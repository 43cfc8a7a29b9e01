// Device properties as text for the New device dialog (see device_properties.h).
#include "ui/model/device_properties.h"

namespace nvmelab::ui {

std::vector<PropertyRow> property_rows(const DeviceConfig &config) {
    const nlohmann::json j = config.to_json();
    std::vector<PropertyRow> rows;
    for (const std::string &name : DeviceConfig::property_names()) {
        const nlohmann::json &v = j.at(name);
        std::string text = v.is_string()    ? v.get<std::string>()
                           : v.is_boolean() ? std::string(v.get<bool>() ? "on" : "off")
                                            : v.dump();
        rows.push_back({name, text, text});
    }
    return rows;
}

std::optional<DeviceConfig> config_from_rows(const std::vector<PropertyRow> &rows,
                                             std::string *error) {
    DeviceConfig c;
    try {
        for (const PropertyRow &r : rows)
            c.set(r.name, r.text);
        c.validate();
    } catch (const ConfigError &e) {
        if (error) *error = e.what();
        return std::nullopt;
    }
    return c;
}

} // namespace nvmelab::ui
