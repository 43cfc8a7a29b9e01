#pragma once
// The values each feature may take on this device (NVMe 1.3 §5.21.1). Set Features and the
// loader of saved feature values (core/controller/device_state.cpp) share them, so a device
// image cannot bring back a value the host could not have set.
#include <cstdint>
#include <optional>
#include <string>

#include "core/spec/nvme_spec.h"

namespace nvmelab::commands {

// The CDW11 bits a feature defines; the others are reserved.
uint32_t feature_defined_bits(spec::FeatureId f);

// A defined field holding a value this device refuses.
struct FeatureValueProblem {
    std::string field; // e.g. "CDW11.PS"
    uint32_t value = 0;
    std::string rule;
    uint16_t param_error_location = 0; // for the Error log entry
};

// The first field of `cdw11` this device refuses for feature `f`, beyond reserved bits.
// Selectors (Temperature Threshold's THSEL/TMPSEL, Interrupt Vector Configuration's IV) are
// not values: the caller checks them.
// dulbe_supported: a namespace honours Error Recovery DULBE (an OCSSD namespace, NSFEAT bit 2).
std::optional<FeatureValueProblem> feature_value_problem(spec::FeatureId f, uint32_t cdw11,
                                                         bool dulbe_supported = false);

} // namespace nvmelab::commands
