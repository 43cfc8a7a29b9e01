#pragma once
// The "New device" dialog's model: the named device properties of `nvmelab create` (the table in
// core/controller/device_config.cpp) as editable text, turned back into a validated DeviceConfig
// or an error naming the property.
#include <optional>
#include <string>
#include <vector>

#include "core/controller/device_config.h"

namespace nvmelab::ui {

struct PropertyRow {
    std::string name;
    std::string text;     // what the user typed
    std::string original; // the value when the dialog opened
};

// Every property with its current value as text ("1073741824", "on", "NVMELAB...").
std::vector<PropertyRow> property_rows(const DeviceConfig &config);
// A configuration from the rows; nullopt with *error set (naming the property and the rule)
// when a value does not parse or the whole does not validate.
std::optional<DeviceConfig> config_from_rows(const std::vector<PropertyRow> &rows,
                                             std::string *error);

} // namespace nvmelab::ui
