// Device properties as text for the New device dialog (see device_properties.h).
#include "ui/model/device_properties.h"

namespace nvmelab::ui {

std::vector<PropertyRow> property_rows(const DeviceConfig &config) {
    // A device's header names only the properties of its type (an NVM device's no OCSSD
    // geometry, an OCSSD device's no size); the dialog shows every property, so the values
    // the header leaves out come from the same device with the other type.
    const nlohmann::json j = config.to_json();
    DeviceConfig other = config;
    other.set("type", config.is_ocssd() ? "nvm" : "ocssd");
    const nlohmann::json k = other.to_json();
    std::vector<PropertyRow> rows;
    for (const std::string &name : DeviceConfig::property_names()) {
        const nlohmann::json v = j.contains(name) ? j.at(name)
                                 : name == "type" ? nlohmann::json(config.type)
                                                  : k.at(name);
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
