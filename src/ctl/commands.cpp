#include "ctl/commands.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "client/client.hpp"
#include "ctl/format.hpp"
#include "util/clock.hpp"
#include "view/engine.hpp"

namespace lensfs::ctl {

namespace {

void print_error(std::string_view text) {
    std::fputs(fmt::format("lensctl: {}\n", text).c_str(), stderr);
}

const char* hint(int code) {
    switch (code) {
    case ENOENT:
    case ECONNREFUSED:
        return " (is the daemon running?)";
    case EACCES:
    case EPERM:
        return " (the socket is for root only)";
    default:
        return "";
    }
}

int print_out(const std::string& text) {
    std::fputs(text.c_str(), stdout);
    return kExitOk;
}

RegisterRequest register_request(const Options& o) {
    RegisterRequest r;
    r.id = o.id;
    r.cgroup = o.cgroup;
    r.pid = o.pid;
    r.start_time = o.start_time;
    r.annotations = o.annotations;
    return r;
}

RequestBody request_for(const Options& o) {
    switch (o.command) {
    case Command::get:
        return GetRequest{o.id};
    case Command::register_:
        return register_request(o);
    case Command::unregister:
        return UnregisterRequest{o.id};
    case Command::status:
        return StatusRequest{};
    default:
        return ListRequest{};
    }
}

int print_response(const Options& o, const Response& r) {
    double now = boottime_now();
    if (r.containers) {
        return print_out(o.json ? containers_json(*r.containers)
                                : containers_table(*r.containers, now));
    }
    if (r.container) {
        return print_out(o.json ? container_json(*r.container)
                                : container_details(*r.container, now));
    }
    if (r.status) {
        return print_out(o.json ? status_json(*r.status) : status_text(*r.status, now));
    }
    return kExitOk;
}

} // namespace

std::optional<Response> ask(const Options& o, RequestBody body, int& status, bool quiet) {
    std::string path = client::socket_path(o.socket.c_str());
    auto deadline = client::Deadline::after(o.timeout_ms);
    auto conn = client::Connection::connect(path, deadline);
    if (!conn) {
        const Error& e = conn.error();
        if (!quiet) {
            print_error(
                fmt::format("cannot reach lensfs at {}: {}{}", path, e.message(), hint(e.code)));
        }
        status = kExitUnreachable;
        return std::nullopt;
    }
    auto response = conn->call(Request{std::nullopt, std::move(body)}, deadline);
    if (!response) {
        if (!quiet) {
            print_error(
                fmt::format("lensfs at {} did not answer: {}", path, response.error().message()));
        }
        status = kExitUnreachable;
        return std::nullopt;
    }
    if (response->error) {
        const ProtocolError& e = *response->error;
        if (!quiet) {
            print_error(e.message);
            if (o.json) {
                print_out(error_json(error_code_name(e.code), e.message));
            }
        }
        status = kExitFailed;
        return std::nullopt;
    }
    return std::move(response).value();
}

int run_upgrade(const Options& o) {
    constexpr auto kWait = std::chrono::seconds(30);
    int status = kExitOk;
    auto before = ask(o, StatusRequest{}, status);
    if (!before || !before->status || !ask(o, UpgradeRequest{}, status)) {
        return status;
    }
    auto deadline = std::chrono::steady_clock::now() +
                    (o.timeout_ms > 0 ? std::chrono::milliseconds(o.timeout_ms) : kWait);
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        int ignored = 0;
        auto now = ask(o, StatusRequest{}, ignored, /*quiet=*/true);
        if (now && now->status && now->status->generation != before->status->generation) {
            return print_out(fmt::format("upgraded: server {} (pid {}) serves; it took over from "
                                         "server {} (pid {})\n",
                                         now->status->generation, now->status->pid,
                                         before->status->generation, before->status->pid));
        }
    }
    print_error("the upgrade did not complete in time; see the daemon's log");
    return kExitFailed;
}

int run_daemon_command(const Options& o) {
    int status = kExitOk;
    auto response = ask(o, request_for(o), status);
    if (!response) {
        return status;
    }
    return print_response(o, *response);
}

} // namespace lensfs::ctl
