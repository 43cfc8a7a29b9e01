#include "core/spec/status_text.h"

namespace nvmelab::spec {

namespace {

struct StatusText {
    std::string_view name;
    std::string_view description;
};

constexpr StatusText kUnknown{"Unknown", ""};

// SCT 0: generic command status, plus the NVM command set codes 80h-84h.
StatusText generic_text(uint8_t sc) {
    switch (sc) {
    case 0x00:
        return {"Successful Completion", "The command finished without any error."};
    case 0x01:
        return {"Invalid Command Opcode",
                "The opcode is reserved or not supported on the queue the command was sent to."};
    case 0x02:
        return {"Invalid Field in Command", "A field of the command holds a reserved or "
                                            "unsupported value; the Error log may say which."};
    case 0x03:
        return {"Command ID Conflict", "Another command with the same identifier is still "
                                       "outstanding on this submission queue."};
    case 0x04:
        return {
            "Data Transfer Error",
            "Moving the command's data or metadata between host memory and the controller failed."};
    case 0x05:
        return {
            "Commands Aborted due to Power Loss Notification",
            "The command was dropped because the controller was told power is about to be lost."};
    case 0x06:
        return {"Internal Error",
                "The controller hit an internal problem and could not finish the command."};
    case 0x07:
        return {"Command Abort Requested",
                "The command was cancelled by an Abort command the host sent."};
    case 0x08:
        return {
            "Command Aborted due to SQ Deletion",
            "The submission queue holding the command was deleted before the command finished."};
    case 0x09:
        return {"Command Aborted due to Failed Fused Command",
                "The command was one half of a fused pair and the other half failed."};
    case 0x0A:
        return {"Command Aborted due to Missing Fused Command",
                "The command was marked as fused but the matching first or second command was not "
                "there."};
    case 0x0B:
        return {"Invalid Namespace or Format", "The namespace ID does not name a usable namespace, "
                                               "or its format does not allow the command."};
    case 0x0C:
        return {"Command Sequence Error", "The command arrived in an order the spec forbids, e.g. "
                                          "changing queue counts after queues exist."};
    case 0x0D:
        return {"Invalid SGL Segment Descriptor", "A Segment or Last Segment descriptor in the SGL "
                                                  "is malformed or used where it is not allowed."};
    case 0x0E:
        return {
            "Invalid Number of SGL Descriptors",
            "A segment descriptor appears somewhere other than the last slot of an SGL segment."};
    case 0x0F:
        return {"Data SGL Length Invalid", "The data SGL describes less (or, if not permitted, "
                                           "more) memory than the transfer needs."};
    case 0x10:
        return {"Metadata SGL Length Invalid", "The metadata SGL describes less (or, if not "
                                               "permitted, more) memory than the metadata needs."};
    case 0x11:
        return {"SGL Descriptor Type Invalid",
                "The SGL contains a descriptor type the controller does not support."};
    case 0x12:
        return {"Invalid Use of Controller Memory Buffer",
                "The command points into the Controller Memory Buffer in a way the controller does "
                "not allow."};
    case 0x13:
        return {"PRP Offset Invalid", "A PRP entry has a non-zero page offset where it must be "
                                      "page aligned, or a bad dword offset."};
    case 0x14:
        return {"Atomic Write Unit Exceeded",
                "The write is longer than the atomic write unit the controller allows."};
    case 0x15:
        return {"Operation Denied", "The host lacks the access rights needed to run this command."};
    case 0x16:
        return {"SGL Offset Invalid", "An offset given in an SGL descriptor is not valid."};
    case 0x18:
        return {"Host Identifier Inconsistent Format",
                "64-bit and 128-bit host identifiers are being used at the same time in the "
                "subsystem."};
    case 0x19:
        return {"Keep Alive Timer Expired",
                "No command arrived within the keep alive timeout, so the timer fired."};
    case 0x1A:
        return {"Keep Alive Timeout Invalid",
                "The keep alive timeout value given is not acceptable."};
    case 0x1B:
        return {"Command Aborted due to Preempt and Abort",
                "A Reservation Acquire with the preempt-and-abort action cancelled the command."};
    case 0x1C:
        return {"Sanitize Failed",
                "The last sanitize failed and nothing has recovered the controller from that yet."};
    case 0x1D:
        return {"Sanitize In Progress",
                "The command is not allowed while a sanitize operation is running."};
    case 0x1E:
        return {"SGL Data Block Granularity Invalid",
                "An SGL data block address or length is not aligned to the granularity the "
                "controller needs."};
    case 0x80:
        return {"LBA Out of Range",
                "The LBA range in the command runs past the end of the namespace."};
    case 0x81:
        return {"Capacity Exceeded",
                "Carrying out the command would use more than the namespace's capacity."};
    case 0x82:
        return {"Namespace Not Ready",
                "The namespace exists but cannot be accessed at the moment."};
    case 0x83:
        return {
            "Reservation Conflict",
            "A reservation held on the namespace by someone else does not permit this command."};
    case 0x84:
        return {"Format In Progress",
                "The namespace is being formatted, so the command cannot run now."};
    default:
        return kUnknown;
    }
}

// SCT 1: command specific status, plus the NVM command set codes 80h-82h.
StatusText command_specific_text(uint8_t sc) {
    switch (sc) {
    case 0x00:
        return {"Completion Queue Invalid",
                "Create I/O SQ named a completion queue ID that is 0 or does not exist."};
    case 0x01:
        return {"Invalid Queue Identifier",
                "The queue ID is 0, above the number of queues granted, already in use, or (for "
                "delete) not created."};
    case 0x02:
        return {"Invalid Queue Size", "The queue size is 0, or larger than CAP.MQES allows."};
    case 0x03:
        return {"Abort Command Limit Exceeded", "More Abort commands are outstanding than the ACL "
                                                "field in Identify Controller permits."};
    case 0x05:
        return {"Asynchronous Event Request Limit Exceeded",
                "More Asynchronous Event Requests are outstanding than the AERL field permits."};
    case 0x06:
        return {"Invalid Firmware Slot", "The firmware slot given is out of range or read-only."};
    case 0x07:
        return {"Invalid Firmware Image",
                "The firmware image to activate is invalid or was never loaded."};
    case 0x08:
        return {
            "Invalid Interrupt Vector",
            "Create I/O CQ asked for an interrupt vector the controller does not have configured."};
    case 0x09:
        return {"Invalid Log Page", "The log page identifier is not supported by the controller."};
    case 0x0A:
        return {"Invalid Format",
                "The requested LBA format or protection settings are not supported."};
    case 0x0B:
        return {"Firmware Activation Requires Conventional Reset",
                "The firmware was committed but only becomes active after a conventional reset."};
    case 0x0C:
        return {"Invalid Queue Deletion",
                "The completion queue cannot be deleted while submission queues still post to it."};
    case 0x0D:
        return {"Feature Identifier Not Saveable",
                "Save was requested for a feature that has no saved value."};
    case 0x0E:
        return {"Feature Not Changeable", "This feature's value is fixed and cannot be set."};
    case 0x0F:
        return {"Feature Not Namespace Specific",
                "A namespace ID was given for a feature that applies to the whole controller."};
    case 0x10:
        return {"Firmware Activation Requires NVM Subsystem Reset",
                "The firmware was committed but only becomes active after an NVM subsystem reset."};
    case 0x11:
        return {"Firmware Activation Requires Controller Level Reset",
                "The firmware was committed but cannot be activated without a reset."};
    case 0x12:
        return {"Firmware Activation Requires Maximum Time Violation",
                "Activating the image now would take longer than the MTFA time the controller "
                "advertises."};
    case 0x13:
        return {
            "Firmware Activation Prohibited",
            "The controller refuses to activate this image for its own vendor-specific reasons."};
    case 0x14:
        return {"Overlapping Range", "The downloaded firmware pieces overlap one another."};
    case 0x15:
        return {"Namespace Insufficient Capacity",
                "There is not enough free capacity to create a namespace of the requested size."};
    case 0x16:
        return {"Namespace Identifier Unavailable",
                "Every namespace identifier the controller supports is in use."};
    case 0x18:
        return {"Namespace Already Attached",
                "The namespace is already attached to that controller."};
    case 0x19:
        return {"Namespace Is Private", "The namespace is private and already attached to one "
                                        "controller, so it cannot be shared."};
    case 0x1A:
        return {"Namespace Not Attached",
                "Detach was requested for a controller the namespace is not attached to."};
    case 0x1B:
        return {"Thin Provisioning Not Supported",
                "The request needs thin provisioning, which the controller does not offer."};
    case 0x1C:
        return {"Controller List Invalid",
                "The controller list is empty or names controllers that do not exist."};
    case 0x1D:
        return {"Device Self-test In Progress", "A device self-test is already running."};
    case 0x1E:
        return {"Boot Partition Write Prohibited",
                "The command tried to change a boot partition that is locked."};
    case 0x1F:
        return {"Invalid Controller Identifier", "The controller identifier given is not valid."};
    case 0x20:
        return {"Invalid Secondary Controller State",
                "The requested action does not fit the current state of the secondary or primary "
                "controller."};
    case 0x21:
        return {"Invalid Number of Controller Resources",
                "The number of flexible resources requested is not acceptable."};
    case 0x22:
        return {"Invalid Resource Identifier",
                "At least one of the resource identifiers given is not valid."};
    case 0x80:
        return {"Conflicting Attributes", "The command's attributes contradict each other."};
    case 0x81:
        return {
            "Invalid Protection Information",
            "The command's protection information settings do not fit the namespace's PI format."};
    case 0x82:
        return {"Attempted Write to Read Only Range",
                "The LBA range includes blocks that are read-only."};
    default:
        return kUnknown;
    }
}

// SCT 2: media and data integrity errors.
StatusText media_text(uint8_t sc) {
    switch (sc) {
    case 0x80:
        return {"Write Fault", "The controller could not store the write data on the media."};
    case 0x81:
        return {"Unrecovered Read Error",
                "The data read from the media was bad and could not be recovered."};
    case 0x82:
        return {"End-to-end Guard Check Error",
                "The CRC guard in the protection information did not match the data."};
    case 0x83:
        return {
            "End-to-end Application Tag Check Error",
            "The application tag in the protection information did not match the expected value."};
    case 0x84:
        return {
            "End-to-end Reference Tag Check Error",
            "The reference tag in the protection information did not match the expected value."};
    case 0x85:
        return {"Compare Failure",
                "The data on the media differed from the data sent with the Compare command."};
    case 0x86:
        return {"Access Denied",
                "Access to the namespace or LBA range is denied for lack of access rights."};
    case 0x87:
        return {"Deallocated or Unwritten Logical Block",
                "The range includes blocks that were never written or were deallocated, and the "
                "host asked for an error."};
    // Open-Channel SSD 2.0 (vendor-specific range of SCT 2h).
    case 0xC0:
        return {"Offline Chunk", "OCSSD 2.0: the chunk is offline, or the reset just took it "
                                 "offline; it cannot be used any more."};
    case 0xC1:
        return {"Invalid Reset", "OCSSD 2.0: the chunk's state does not allow a reset, or the "
                                 "address names no chunk."};
    case 0xD0:
        return {"Read High ECC", "OCSSD 2.0: the data is valid but needed heavy error correction; "
                                 "the host should move it soon."};
    case 0xF0:
        return {"Write Fail - Write Next Unit",
                "OCSSD 2.0: the write failed; the chunk stays open and the host continues at the "
                "next write unit."};
    case 0xF1:
        return {"Write Fail - Chunk Early Close",
                "OCSSD 2.0: the write failed and the chunk is now closed; data below its write "
                "pointer stays readable."};
    case 0xF2:
        return {"Out of Order Write",
                "OCSSD 2.0: the write does not start at the chunk's write pointer."};
    default:
        return kUnknown;
    }
}

StatusText status_text(uint8_t sct, uint8_t sc) {
    switch (sct) {
    case 0:
        return generic_text(sc);
    case 1:
        return command_specific_text(sc);
    case 2:
        return media_text(sc);
    case 7:
        return {"Vendor Specific Status", "The status code is defined by the device vendor."};
    default:
        return kUnknown;
    }
}

} // namespace

std::string_view status_name(uint8_t sct, uint8_t sc) {
    return status_text(sct, sc).name;
}

std::string_view status_description(uint8_t sct, uint8_t sc) {
    return status_text(sct, sc).description;
}

std::string_view admin_opcode_name(uint8_t opc) {
    switch (opc) {
    case 0x00:
        return "Delete I/O Submission Queue";
    case 0x01:
        return "Create I/O Submission Queue";
    case 0x02:
        return "Get Log Page";
    case 0x04:
        return "Delete I/O Completion Queue";
    case 0x05:
        return "Create I/O Completion Queue";
    case 0x06:
        return "Identify";
    case 0x08:
        return "Abort";
    case 0x09:
        return "Set Features";
    case 0x0A:
        return "Get Features";
    case 0x0C:
        return "Asynchronous Event Request";
    case 0x0D:
        return "Namespace Management";
    case 0x10:
        return "Firmware Commit";
    case 0x11:
        return "Firmware Image Download";
    case 0x14:
        return "Device Self-test";
    case 0x15:
        return "Namespace Attachment";
    case 0x18:
        return "Keep Alive";
    case 0x19:
        return "Directive Send";
    case 0x1A:
        return "Directive Receive";
    case 0x1C:
        return "Virtualization Management";
    case 0x1D:
        return "NVMe-MI Send";
    case 0x1E:
        return "NVMe-MI Receive";
    case 0x7C:
        return "Doorbell Buffer Config";
    case 0x80:
        return "Format NVM";
    case 0x81:
        return "Security Send";
    case 0x82:
        return "Security Receive";
    case 0x84:
        return "Sanitize";
    case 0xE2:
        return "Geometry"; // OCSSD 2.0, vendor specific
    default:
        return "";
    }
}

std::string_view opcode_name(CommandSetId set, uint8_t opc) {
    switch (set) {
    case CommandSetId::Admin:
        return admin_opcode_name(opc);
    case CommandSetId::Nvm:
        return nvm_opcode_name(opc);
    case CommandSetId::Ocssd:
        switch (opc) {
        case 0x90:
            return "Vector Chunk Reset";
        case 0x91:
            return "Vector Chunk Write";
        case 0x92:
            return "Vector Chunk Read";
        case 0x93:
            return "Vector Chunk Copy";
        default:
            return nvm_opcode_name(opc);
        }
    }
    return "";
}

const char *command_set_name(CommandSetId set) {
    switch (set) {
    case CommandSetId::Admin:
        return "admin";
    case CommandSetId::Nvm:
        return "NVM";
    case CommandSetId::Ocssd:
        return "OCSSD";
    }
    return "?";
}

std::string_view nvm_opcode_name(uint8_t opc) {
    switch (opc) {
    case 0x00:
        return "Flush";
    case 0x01:
        return "Write";
    case 0x02:
        return "Read";
    case 0x04:
        return "Write Uncorrectable";
    case 0x05:
        return "Compare";
    case 0x08:
        return "Write Zeroes";
    case 0x09:
        return "Dataset Management";
    case 0x0D:
        return "Reservation Register";
    case 0x0E:
        return "Reservation Report";
    case 0x11:
        return "Reservation Acquire";
    case 0x15:
        return "Reservation Release";
    default:
        return "";
    }
}

std::string_view feature_name(uint8_t fid) {
    switch (fid) {
    case 0x01:
        return "Arbitration";
    case 0x02:
        return "Power Management";
    case 0x03:
        return "LBA Range Type";
    case 0x04:
        return "Temperature Threshold";
    case 0x05:
        return "Error Recovery";
    case 0x06:
        return "Volatile Write Cache";
    case 0x07:
        return "Number of Queues";
    case 0x08:
        return "Interrupt Coalescing";
    case 0x09:
        return "Interrupt Vector Configuration";
    case 0x0A:
        return "Write Atomicity Normal";
    case 0x0B:
        return "Asynchronous Event Configuration";
    case 0x0C:
        return "Autonomous Power State Transition";
    case 0x0D:
        return "Host Memory Buffer";
    case 0x0E:
        return "Timestamp";
    case 0x0F:
        return "Keep Alive Timer";
    case 0x10:
        return "Host Controlled Thermal Management";
    case 0x11:
        return "Non-Operational Power State Config";
    case 0x80:
        return "Software Progress Marker";
    case 0x81:
        return "Host Identifier";
    case 0x82:
        return "Reservation Notification Mask";
    case 0x83:
        return "Reservation Persistence";
    case 0xCA:
        return "Media Feedback"; // OCSSD 2.0
    default:
        return "";
    }
}

std::string_view log_page_name(uint8_t lid) {
    switch (lid) {
    case 0x01:
        return "Error Information";
    case 0x02:
        return "SMART / Health Information";
    case 0x03:
        return "Firmware Slot Information";
    case 0x04:
        return "Changed Namespace List";
    case 0x05:
        return "Commands Supported and Effects";
    case 0x06:
        return "Device Self-test";
    case 0x07:
        return "Telemetry Host-Initiated";
    case 0x08:
        return "Telemetry Controller-Initiated";
    case 0x80:
        return "Reservation Notification";
    case 0x81:
        return "Sanitize Status";
    case 0xCA:
        return "Chunk Information"; // OCSSD 2.0
    case 0xD0:
        return "Chunk Notification"; // OCSSD 2.0
    default:
        return "";
    }
}

} // namespace nvmelab::spec
