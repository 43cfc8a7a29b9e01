#include "core/controller/device_config.h"

#include <algorithm>
#include <functional>
#include <map>

#include "core/util/number_text.h"

namespace nvmelab {

namespace {

// One rule for every number nvmelab reads (core/util/number_text.h): nvme-cli's.
template <typename T> T parse_number(const std::string &text) {
    uint64_t v = 0;
    if (std::string e = parse_unsigned(text, v); !e.empty()) throw ConfigError(e);
    if (v > std::numeric_limits<T>::max()) throw ConfigError(text + " is too large");
    return static_cast<T>(v);
}

bool parse_bool(const std::string &text) {
    if (text == "1" || text == "true" || text == "on" || text == "yes") return true;
    if (text == "0" || text == "false" || text == "off" || text == "no") return false;
    throw ConfigError("'" + text + "' is not a boolean (on/off)");
}

// One table drives text parsing, JSON in and JSON out, so the three never disagree.
struct Property {
    std::function<void(DeviceConfig &, const std::string &)> set_text;
    std::function<nlohmann::json(const DeviceConfig &)> get;
    std::function<void(DeviceConfig &, const nlohmann::json &)> set_json;
};

template <typename T> Property number(T DeviceConfig::*field) {
    return {[field](DeviceConfig &c, const std::string &v) { c.*field = parse_number<T>(v); },
            [field](const DeviceConfig &c) { return nlohmann::json(c.*field); },
            [field](DeviceConfig &c, const nlohmann::json &j) {
                // Integers built in C++ (json(9)) are signed JSON numbers: accept them too.
                if (!j.is_number_integer() || (!j.is_number_unsigned() && j.get<int64_t>() < 0))
                    throw ConfigError("must be an unsigned number");
                const uint64_t v = j.get<uint64_t>();
                if (v > std::numeric_limits<T>::max()) throw ConfigError("is too large");
                c.*field = static_cast<T>(v);
            }};
}

Property boolean(bool DeviceConfig::*field) {
    return {[field](DeviceConfig &c, const std::string &v) { c.*field = parse_bool(v); },
            [field](const DeviceConfig &c) { return nlohmann::json(c.*field); },
            [field](DeviceConfig &c, const nlohmann::json &j) {
                if (!j.is_boolean()) throw ConfigError("must be true or false");
                c.*field = j.get<bool>();
            }};
}

Property text(std::string DeviceConfig::*field) {
    return {[field](DeviceConfig &c, const std::string &v) { c.*field = v; },
            [field](const DeviceConfig &c) { return nlohmann::json(c.*field); },
            [field](DeviceConfig &c, const nlohmann::json &j) {
                if (!j.is_string()) throw ConfigError("must be a string");
                c.*field = j.get<std::string>();
            }};
}

// The OCSSD properties (DeviceConfig::ocssd), which apply only with type = ocssd.
template <typename T> Property ocssd_number(T OcssdParams::*field) {
    return {[field](DeviceConfig &c, const std::string &v) { c.ocssd.*field = parse_number<T>(v); },
            [field](const DeviceConfig &c) { return nlohmann::json(c.ocssd.*field); },
            [field](DeviceConfig &c, const nlohmann::json &j) {
                if (!j.is_number_integer() || (!j.is_number_unsigned() && j.get<int64_t>() < 0))
                    throw ConfigError("must be an unsigned number");
                const uint64_t v = j.get<uint64_t>();
                if (v > std::numeric_limits<T>::max()) throw ConfigError("is too large");
                c.ocssd.*field = static_cast<T>(v);
            }};
}

Property ocssd_text(std::string OcssdParams::*field) {
    return {[field](DeviceConfig &c, const std::string &v) { c.ocssd.*field = v; },
            [field](const DeviceConfig &c) { return nlohmann::json(c.ocssd.*field); },
            [field](DeviceConfig &c, const nlohmann::json &j) {
                if (!j.is_string()) throw ConfigError("must be a string");
                c.ocssd.*field = j.get<std::string>();
            }};
}

const std::map<std::string, Property> &ocssd_properties() {
    static const std::map<std::string, Property> table = [] {
        std::map<std::string, Property> t;
        t["num_grp"] = ocssd_number(&OcssdParams::num_grp);
        t["num_pu"] = ocssd_number(&OcssdParams::num_pu);
        t["num_chk"] = ocssd_number(&OcssdParams::num_chk);
        t["clba"] = ocssd_number(&OcssdParams::clba);
        t["ws_min"] = ocssd_number(&OcssdParams::ws_min);
        t["ws_opt"] = ocssd_number(&OcssdParams::ws_opt);
        t["mw_cunits"] = ocssd_number(&OcssdParams::mw_cunits);
        t["maxoc"] = ocssd_number(&OcssdParams::maxoc);
        t["maxocpu"] = ocssd_number(&OcssdParams::maxocpu);
        t["mccap"] = ocssd_number(&OcssdParams::mccap);
        t["wit"] = ocssd_number(&OcssdParams::wit);
        t["pe_cycles"] = ocssd_number(&OcssdParams::pe_cycles);
        t["trdt"] = ocssd_number(&OcssdParams::trdt);
        t["trdm"] = ocssd_number(&OcssdParams::trdm);
        t["tprt"] = ocssd_number(&OcssdParams::tprt);
        t["tprm"] = ocssd_number(&OcssdParams::tprm);
        t["tbet"] = ocssd_number(&OcssdParams::tbet);
        t["tbem"] = ocssd_number(&OcssdParams::tbem);
        t["offline_chunks"] = ocssd_text(&OcssdParams::offline_chunks);
        t["worn_chunks"] = ocssd_text(&OcssdParams::worn_chunks);
        t["closed_write_status"] = ocssd_text(&OcssdParams::closed_write_status);
        t["offline_read"] = ocssd_text(&OcssdParams::offline_read);
        t["fail_reset"] = ocssd_text(&OcssdParams::fail_reset);
        t["fail_write"] = ocssd_text(&OcssdParams::fail_write);
        return t;
    }();
    return table;
}

const std::map<std::string, Property> &properties() {
    static const std::map<std::string, Property> table = [] {
        std::map<std::string, Property> t;
        t["size"] = number(&DeviceConfig::size);
        t["size"].set_text = [](DeviceConfig &c, const std::string &v) { c.size = parse_size(v); };
        t["lbads"] = number(&DeviceConfig::lbads);
        t["mdts"] = number(&DeviceConfig::mdts);
        t["max_ioqpairs"] = number(&DeviceConfig::max_ioqpairs);
        t["mqes"] = number(&DeviceConfig::mqes);
        t["vwc"] = boolean(&DeviceConfig::vwc);
        t["cache_blocks"] = number(&DeviceConfig::cache_blocks);
        t["serial"] = text(&DeviceConfig::serial);
        t["model"] = text(&DeviceConfig::model);
        t["firmware"] = text(&DeviceConfig::firmware);
        t["vid"] = number(&DeviceConfig::vid);
        t["dstrd"] = number(&DeviceConfig::dstrd);
        t["cqr"] = boolean(&DeviceConfig::cqr);
        t["wrr"] = boolean(&DeviceConfig::wrr);
        t["mpsmin"] = number(&DeviceConfig::mpsmin);
        t["mpsmax"] = number(&DeviceConfig::mpsmax);
        t["timeout"] = number(&DeviceConfig::timeout);
        t["nssrs"] = boolean(&DeviceConfig::nssrs);
        t["msix_vectors"] = number(&DeviceConfig::msix_vectors);
        t["msix"] = boolean(&DeviceConfig::msix);
        t["max_inflight"] = number(&DeviceConfig::max_inflight);
        t["host_memory"] = number(&DeviceConfig::host_memory);
        t["host_memory"].set_text = [](DeviceConfig &c, const std::string &v) {
            c.host_memory = parse_size(v);
        };
        t["ready_ns"] = number(&DeviceConfig::ready_ns);
        t["fetch_ns"] = number(&DeviceConfig::fetch_ns);
        t["dma_ns_per_kib"] = number(&DeviceConfig::dma_ns_per_kib);
        t["read_ns"] = number(&DeviceConfig::read_ns);
        t["write_ns"] = number(&DeviceConfig::write_ns);
        t["cache_ns"] = number(&DeviceConfig::cache_ns);
        t["ms"] = number(&DeviceConfig::ms);
        t["mset"] = number(&DeviceConfig::mset);
        t["pi"] = number(&DeviceConfig::pi);
        t["pil"] = number(&DeviceConfig::pil);
        t["type"] = text(&DeviceConfig::type);
        for (const auto &[name, prop] : ocssd_properties())
            t[name] = prop;
        return t;
    }();
    return table;
}

} // namespace

std::vector<NamespaceConfig> DeviceConfig::namespace_configs(bool metadata_area) const {
    if (is_ocssd())
        return {NamespaceConfig{.type = NamespaceType::Ocssd,
                                .nsze = 0, // the namespace derives it from the geometry
                                .lba_formats = {LbaFormatInfo{lba_size(), ms, 0}},
                                .format_in_use = 0,
                                .cache_blocks = 0,
                                .ocssd = ocssd}};
    NamespaceConfig ns;
    ns.type = NamespaceType::Nvm;
    ns.nsze = nsze();
    ns.cache_blocks = cache_blocks;
    ns.extended_lba = mset != 0;
    ns.dps = static_cast<uint8_t>(pi | (pil != 0 ? 0x8 : 0));
    ns.capacity_bytes = size;
    ns.metadata_area = metadata_area ? metadata_area_bytes() : 0;
    ns.lba_formats = standard_lba_formats(lbads, ms, metadata_area, ns.format_in_use);
    return {ns};
}

uint64_t DeviceConfig::media_bytes() const {
    if (!is_ocssd()) return size + metadata_area_bytes();
    uint64_t bytes = 0;
    for (const NamespaceConfig &ns : namespace_configs())
        bytes += ns.store_bytes();
    return bytes;
}

uint64_t parse_size(const std::string &text) {
    if (text.empty()) throw ConfigError("size is empty");
    uint64_t mult = 1;
    std::string digits = text;
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
    const std::string units = "KMGTP";
    if (auto pos = units.find(unit); pos != std::string::npos) {
        mult = uint64_t{1} << (10 * (pos + 1));
        digits.pop_back();
    }
    uint64_t v = 0;
    try {
        v = parse_number<uint64_t>(digits);
    } catch (const ConfigError &) {
        throw ConfigError("size '" + text +
                          "' is not a size: give bytes (4096, 0x1000) or a number with a binary "
                          "unit K, M, G, T or P (4K = 4096 bytes, 1G = 2^30)");
    }
    if (v != 0 && mult > std::numeric_limits<uint64_t>::max() / v)
        throw ConfigError("size '" + text + "' is too large");
    return v * mult;
}

void DeviceConfig::set(const std::string &name, const std::string &value) {
    auto it = properties().find(name);
    if (it == properties().end()) throw ConfigError("unknown device property '" + name + "'");
    try {
        it->second.set_text(*this, value);
    } catch (const ConfigError &e) {
        throw ConfigError("property '" + name + "': " + e.what());
    }
}

void DevicePropertySetter::set(const std::string &name, const std::string &value) {
    if (!given_.insert(name).second)
        throw RepeatedPropertyError("property '" + name + "' is given more than once");
    config_.set(name, value);
}

bool DeviceConfig::is_ocssd_property(const std::string &name) {
    return name == "type" || ocssd_properties().count(name) != 0;
}

const std::vector<std::string> &DeviceConfig::property_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto &[k, v] : properties())
            n.push_back(k);
        return n;
    }();
    return names;
}

nlohmann::json DeviceConfig::to_json() const {
    nlohmann::json j = nlohmann::json::object();
    // An NVM device's header names no OCSSD property (nor its type), as before they existed;
    // an OCSSD device's names no size, which its geometry gives.
    for (const auto &[name, prop] : properties()) {
        if (is_ocssd_property(name) ? !is_ocssd() : is_ocssd() && name == "size") continue;
        j[name] = prop.get(*this);
    }
    return j;
}

DeviceConfig DeviceConfig::from_json(const nlohmann::json &j) {
    if (!j.is_object()) throw ConfigError("device properties must be a JSON object");
    DeviceConfig c;
    for (const auto &[name, value] : j.items()) {
        auto it = properties().find(name);
        if (it == properties().end()) throw ConfigError("unknown device property '" + name + "'");
        try {
            it->second.set_json(c, value);
        } catch (const ConfigError &e) {
            throw ConfigError("property '" + name + "' " + e.what());
        }
    }
    c.validate();
    return c;
}

void DeviceConfig::validate() const {
    auto fail = [](const std::string &msg) { throw ConfigError(msg); };
    // LBA data sizes below 512 bytes are not allowed (NVMe 1.3 §5.15, LBAF.LBADS >= 9).
    if (lbads < 9 || lbads > 16) fail("lbads must be 9..16 (LBA size 512 B..64 KiB)");
    if (size == 0) fail("size must be greater than 0");
    if (size % lba_size() != 0) fail("size must be a multiple of the LBA size 2^lbads");
    if (size > (uint64_t{1} << 50)) fail("size must be at most 1 PiB");
    if (mpsmin > 15 || mpsmax > 15 || mpsmin > mpsmax) fail("need mpsmin <= mpsmax <= 15");
    if (mpsmin > 4) fail("mpsmin must be at most 4 (64 KiB pages)");
    if (mdts > 15) fail("mdts must be 0..15");
    // lbads and mpsmin are in range here, so the shift cannot overflow.
    if (mdts != 0 && (uint64_t{1} << (12 + mpsmin + mdts)) < lba_size())
        fail("mdts is too small: the maximum data transfer (2^mdts x 2^(12+mpsmin) bytes) must "
             "hold one LBA");
    if (mqes < 1) fail("mqes must be at least 1 (CAP.MQES is 0's based, 2 entries minimum)");
    if (max_ioqpairs < 1) fail("max_ioqpairs must be at least 1");
    if (msix_vectors < 1 || msix_vectors > 2048) fail("msix_vectors must be 1..2048");
    if (!msix && msix_vectors > 32)
        fail("msix_vectors must be 1..32 with msix = false: MSI has at most 32 vectors");
    if (dstrd > 15) fail("dstrd must be 0..15");
    // Register offsets are 32-bit: the last CQ head doorbell must not wrap onto another one.
    if (0x1000 + (uint64_t{2} * max_ioqpairs + 1) * (uint64_t{4} << dstrd) + 4 > 0x100000000ull)
        fail("dstrd and max_ioqpairs put the doorbells beyond the 32-bit register space");
    if (timeout == 0) fail("timeout (CAP.TO) must be at least 1");
    if (ready_ns > uint64_t{timeout} * 500'000'000)
        fail("ready_ns must be within CAP.TO (timeout x 500 ms)");
    // Each at most 10 virtual seconds, so the durations built from them (times blocks or
    // KiB) stay far from wrapping the 64-bit nanosecond clock.
    constexpr uint64_t kMaxDurationNs = 10'000'000'000;
    for (const auto &[name, value] :
         {std::pair{"fetch_ns", fetch_ns}, std::pair{"read_ns", read_ns},
          std::pair{"write_ns", write_ns}, std::pair{"cache_ns", cache_ns},
          std::pair{"dma_ns_per_kib", dma_ns_per_kib}})
        if (value > kMaxDurationNs)
            fail(std::string(name) + " must be at most 10000000000 (10 s of virtual time)");
    if (max_inflight < 1 || max_inflight > 4096) fail("max_inflight must be 1..4096");
    if (host_memory < (uint64_t{1} << 20) || host_memory > (uint64_t{1} << 40))
        fail("host_memory must be 1M..1T (bytes the host may map at once)");
    if (serial.size() > 20) fail("serial must be at most 20 characters");
    if (model.size() > 40) fail("model must be at most 40 characters");
    if (firmware.size() > 8) fail("firmware must be at most 8 characters");
    auto printable = [](const std::string &s) {
        for (char ch : s)
            if (ch < 0x20 || ch > 0x7e) return false;
        return true;
    };
    if (!printable(serial) || !printable(model) || !printable(firmware))
        fail("serial, model and firmware must be printable ASCII");
    if (vwc && cache_blocks == 0) fail("cache_blocks must be at least 1 when vwc is on");
    // The cache's memory is real: cache_blocks x LBA size bytes once it fills.
    if (uint64_t{cache_blocks} * lba_size() > (uint64_t{1} << 30))
        fail("cache_blocks x LBA size must be at most 1 GiB");
    // The LBA format in use and its metadata layout and protection, with QEMU's property names
    // (§5.15 FLBAS, DPS; §8.2, §8.3).
    if (std::find(std::begin(kMetadataSizes), std::end(kMetadataSizes), ms) ==
        std::end(kMetadataSizes))
        fail("ms must be 0, 8, 16 or 64 (the metadata bytes per block of the LBA formats)");
    if (mset > 1) fail("mset must be 0 (separate metadata buffer) or 1 (extended LBAs)");
    if (mset == 1 && ms == 0)
        fail("mset = 1 (metadata at the end of each block) needs metadata: set ms to 8, 16 or 64");
    if (pi > 3) fail("pi must be 0 (no protection information) or a PI type 1, 2 or 3");
    if (pi != 0 && ms < 8)
        fail("pi " + std::to_string(pi) +
             " needs at least 8 bytes of metadata per block for the protection tuple: set ms to "
             "8, 16 or 64");
    if (pil > 1) fail("pil must be 0 (PI in the last 8 bytes of metadata) or 1 (the first 8)");
    if (pil == 1 && pi == 0) fail("pil = 1 places protection information: it needs pi 1, 2 or 3");
    if (type != "nvm" && type != "ocssd") fail("type must be nvm or ocssd");
    if (is_ocssd()) {
        validate_ocssd_params(ocssd, lbads);
    } else if (!(ocssd == OcssdParams{})) {
        for (const auto &[name, prop] : ocssd_properties())
            if (prop.get(*this) != prop.get(DeviceConfig{}))
                fail("property '" + name + "' applies only to an OCSSD device (type = ocssd)");
    }
}

} // namespace nvmelab
