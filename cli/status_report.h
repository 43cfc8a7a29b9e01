#pragma once
// Reporting a failed NVMe command the way nvme-cli does, plus the controller's explanation.
#include <string>

#include "cli/cli.h"
#include "driver/host_driver.h"

namespace nvmelab::cli {

// "NVMe status: LBA Out of Range: The LBA range ... namespace.(0x6080)"
std::string status_line(const Completion &c);
// "controller: CDW10/11.SLBA=0x...: rule (NVMe 1.3 §6.x)", or "" without an explanation.
std::string explanation_line(const Completion &c);
// {"status","sct","sc","dnr","more","name","explanation","field","value","rule","section"}
Json status_json(const Completion &c);

// Prints the failure on stderr (and, with Format::Json, the JSON object on stdout).
// Returns the exit code for an NVMe error: 1.
int report_failure(const Completion &c, Format format);

} // namespace nvmelab::cli
