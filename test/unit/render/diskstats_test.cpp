#include <catch2/catch.hpp>

#include "golden.hpp"
#include "render/render.hpp"

using namespace lensfs;

namespace {

DeviceIo device(unsigned major, unsigned minor) {
    DeviceIo d;
    d.major = major;
    d.minor = minor;
    return d;
}

/// The line of device @p name in @p text (with its newline), or "".
std::string line_of(const std::string& text, const std::string& name) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl - pos + 1);
        if (line.find(" " + name + " ") != std::string::npos) {
            return line;
        }
        pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    return "";
}

std::string render_with(const std::string& host, const std::vector<DeviceIo>& io) {
    std::string out;
    render::diskstats(host, io, out);
    return out;
}

} // namespace

TEST_CASE("diskstats: the kernel's 17 fields from the cgroup's counters") {
    DeviceIo d = device(8, 0);
    d.bytes = {4194304, 8388608, 1024};
    d.ios = {100, 200, 3};
    d.merged = {10, 20, 1};
    d.service_ns = {1500000000, 2500000000, 7000000};
    d.wait_ns = {500000000, 1000000000, 1000000};
    // reads 100, merged 10, 8192 sectors, 2000 ms; writes 200, 20, 16384, 3500 ms; 0 in
    // flight; 4007 ms busy (service); 5508 ms weighted; discards 3, 1, 2 sectors, 8 ms; no
    // flushes.
    CHECK(line_of(render_with(test_data("host/diskstats"), {d}), "sda") ==
          "   8       0 sda 100 10 8192 2000 200 20 16384 3500 0 4007 5508 3 1 2 8 0 0\n");
}

TEST_CASE("diskstats: every device the host lists, in its order, zeros without I/O") {
    DeviceIo vda = device(254, 0);
    vda.bytes.write = 512;
    DeviceIo sdb = device(8, 16);
    sdb.ios.read = 1;
    DeviceIo idle = device(253, 0);
    DeviceIo unknown = device(259, 1);
    unknown.bytes.read = 4096;
    const char* zeros = " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    std::string all_idle = std::string("   7       0 loop0") + zeros + "   8       0 sda" + zeros +
                           "   8       1 sda1" + zeros + "   8      16 sdb" + zeros +
                           " 253       0 zram0" + zeros + " 254       0 vda" + zeros;
    CHECK(render_with(test_data("host/diskstats"), {}) == all_idle);
    CHECK(render_with(test_data("host/diskstats"), {idle}) == all_idle);
    std::string out = render_with(test_data("host/diskstats"), {vda, idle, unknown, sdb});
    CHECK(line_of(out, "sdb") == "   8      16 sdb 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
    CHECK(line_of(out, "vda") == " 254       0 vda 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0\n");
    CHECK(line_of(out, "zram0") == std::string(" 253       0 zram0") + zeros);
    CHECK(out.find("259") == std::string::npos); // a device the host does not list
}

TEST_CASE("diskstats: older kernels' field counts are kept") {
    DeviceIo d = device(8, 0);
    d.ios = {1, 2, 3};
    CHECK(line_of(render_with(test_data("host/variants/diskstats-11"), {d}), "sda") ==
          "   8       0 sda 1 0 0 0 2 0 0 0 0 0 0\n");
    CHECK(line_of(render_with(test_data("host/variants/diskstats-15"), {d}), "sda") ==
          "   8       0 sda 1 0 0 0 2 0 0 0 0 0 0 3 0 0 0\n");
    // A future kernel's extra fields are 0.
    CHECK(render_with("   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n", {d}) ==
          "   8       0 sda 1 0 0 0 2 0 0 0 0 0 0 3 0 0 0 0 0 0 0\n");
}

TEST_CASE("diskstats: times wrap at 32 bits like the kernel's; bad host lines are skipped") {
    DeviceIo d = device(8, 0);
    d.ios.read = 1;
    d.service_ns.read = (std::uint64_t{1} << 32) * 1'000'000 + 5'000'000; // 2^32 ms + 5 ms
    std::string out = render_with(test_data("host/variants/diskstats-11"), {d});
    CHECK(line_of(out, "sda") == "   8       0 sda 1 0 0 5 0 0 0 0 0 5 5\n");
    CHECK(render_with("garbage\n8 x sda 1 2\n\n   8 0\n", {d}).empty());
}

TEST_CASE("diskstats: appends to the buffer") {
    DeviceIo d = device(8, 16);
    d.ios.write = 1;
    std::string out = "x";
    render::diskstats(test_data("host/variants/diskstats-11"), {d}, out);
    CHECK(out.rfind("x", 0) == 0);
    CHECK(line_of(out, "sdb") == "   8      16 sdb 0 0 0 0 1 0 0 0 0 0 0\n");
}
