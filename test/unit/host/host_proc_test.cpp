#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.hpp"
#include "host/host_proc.hpp"

using namespace lensfs;
using lensfs::host::HostProc;

namespace {

HostProc fixture_proc() {
    auto proc = HostProc::open(std::string(LENSFS_TEST_DATA) + "/host");
    REQUIRE(proc);
    return std::move(proc).value();
}

} // namespace

TEST_CASE("HostProc reads and parses the files below its root") {
    HostProc proc = fixture_proc();
    CHECK(proc.root() == std::string(LENSFS_TEST_DATA) + "/host");
    std::string scratch;
    auto mem = proc.meminfo(scratch);
    REQUIRE(mem);
    CHECK(mem->get("MemTotal") == 24684096u);
    auto stat = proc.stat(scratch);
    REQUIRE(stat);
    CHECK(stat->per_cpu.size() == 2);
    auto cpuinfo = proc.cpuinfo(scratch);
    REQUIRE(cpuinfo);
    CHECK(cpuinfo->blocks.size() == 2);
    auto uptime = proc.uptime(scratch);
    REQUIRE(uptime);
    CHECK(uptime->uptime == Approx(574.26));

    std::string raw;
    REQUIRE(proc.raw("loadavg", raw));
    CHECK(raw == host_fixture("loadavg"));
    REQUIRE(proc.raw("swaps", raw));
    CHECK(raw == "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
}

TEST_CASE("HostProc reads process facts by pid") {
    HostProc proc = fixture_proc();
    std::string scratch;
    auto ppid = proc.ppid(4242, scratch);
    REQUIRE(ppid);
    CHECK(*ppid == 17);
    auto start = proc.starttime_ticks(4242, scratch);
    REQUIRE(start);
    CHECK(*start == 98765u);
    std::string cgroup;
    REQUIRE(proc.cgroup_text(4242, cgroup));
    CHECK(cgroup.find("0::/lensfs-test-a\n") != std::string::npos);
}

TEST_CASE("HostProc errors carry errno and the path") {
    HostProc proc = fixture_proc();
    std::string scratch = "stale";
    auto missing = proc.ppid(999999, scratch);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ENOENT);
    CHECK(missing.error().context.find("/host/999999/status") != std::string::npos);
    CHECK(proc.ppid(0, scratch).error().code == EINVAL);
    CHECK(proc.starttime_ticks(-3, scratch).error().code == EINVAL);
    CHECK(proc.pidns_inode(0).error().code == EINVAL);
    CHECK(proc.raw("/etc/passwd", scratch).error().code == EINVAL);
    CHECK(proc.raw("", scratch).error().code == EINVAL);
    CHECK(proc.raw("nonexistent", scratch).error().code == ENOENT);

    auto open = HostProc::open("/nonexistent-lensfs-dir");
    REQUIRE_FALSE(open);
    CHECK(open.error().code == ENOENT);
}

TEST_CASE("HostProc names the file in a parse error") {
    char tmpl[] = "/tmp/lensfs-unit-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    std::string dir = tmpl;
    REQUIRE(write_file_atomic(dir + "/meminfo", "MemTotal: lots kB\n", 0644));
    auto proc = HostProc::open(dir);
    REQUIRE(proc);
    std::string scratch;
    auto mem = proc->meminfo(scratch);
    REQUIRE_FALSE(mem);
    CHECK(mem.error().code == EINVAL);
    CHECK(mem.error().context.rfind(dir + "/meminfo line 1", 0) == 0);
    unlink((dir + "/meminfo").c_str());
    rmdir(dir.c_str());
}

TEST_CASE("HostProc on the real /proc") {
    auto proc = HostProc::open();
    REQUIRE(proc);
    std::string scratch;
    REQUIRE(proc->meminfo(scratch));
    REQUIRE(proc->stat(scratch));
    REQUIRE(proc->cpuinfo(scratch));
    REQUIRE(proc->uptime(scratch));
    pid_t self = getpid();
    auto ppid = proc->ppid(self, scratch);
    REQUIRE(ppid);
    CHECK(*ppid == getppid());
    REQUIRE(proc->starttime_ticks(self, scratch));

    auto ns = proc->pidns_inode(self);
    REQUIRE(ns);
    struct stat st {};
    REQUIRE(::stat("/proc/self/ns/pid", &st) == 0);
    CHECK(*ns == st.st_ino);
}

TEST_CASE("HostProc opens a process's cgroup file and reads a thread's own files") {
    auto proc = HostProc::open();
    REQUIRE(proc);
    pid_t self = getpid();
    auto handle = proc->open_process(self);
    REQUIRE(handle);
    std::string kept, fresh;
    REQUIRE(handle->read_cgroup(kept));
    REQUIRE(handle->read_cgroup(kept)); // read again from the start
    REQUIRE(proc->cgroup_text(self, fresh));
    CHECK(kept == fresh);
    CHECK(handle->pidns() == *proc->pidns_inode(self));

    std::string text;
    REQUIRE(proc->task_file(self, "stat", text));
    CHECK(text.starts_with(std::to_string(self) + " ("));
    REQUIRE(proc->task_file(self, "status", text));
    CHECK(text.find("\nPid:\t" + std::to_string(self) + "\n") != std::string::npos);
    CHECK_FALSE(proc->task_file(0, "stat", text));

    CHECK(proc->process_exists(self));
    CHECK_FALSE(proc->process_exists(4194304 + 1)); // above PID_MAX_LIMIT: never a process
    CHECK_FALSE(proc->process_exists(0));
    CHECK_FALSE(proc->open_process(4194304 + 1));
}
