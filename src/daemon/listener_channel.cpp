#include "daemon/listener_channel.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

#include <fmt/format.h>

#include "util/fd_passing.hpp"
#include "util/parse.hpp"

namespace lensfs::daemon {

namespace {

constexpr std::string_view kHeader = "listeners\n";
constexpr std::size_t kPerDatagram = 200; // below the kernel's SCM_MAX_FD (253)
constexpr std::size_t kMaxText = 65536;

} // namespace

long receive_datagram(int sock, ChannelDatagram& out, bool nonblocking) {
    out.text.resize(kMaxText);
    out.fds.clear();
    alignas(cmsghdr) static thread_local char control[CMSG_SPACE(sizeof(int) * kPerDatagram)];
    iovec iov{out.text.data(), out.text.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | (nonblocking ? MSG_DONTWAIT : 0));
    if (n < 0) {
        out.text.clear();
        return -1;
    }
    take_passed_fds(msg, out.fds);
    out.text.resize(static_cast<std::size_t>(n));
    return static_cast<long>(n);
}

Status send_listeners(int sock, std::span<const ListenerRef> listeners) {
    while (!listeners.empty()) {
        auto batch = listeners.first(std::min(listeners.size(), kPerDatagram));
        listeners = listeners.subspan(batch.size());
        std::string text(kHeader);
        std::vector<int> fds;
        for (const auto& l : batch) {
            text += fmt::format("{} {}\n", l.key, l.id);
            fds.push_back(l.fd);
        }
        if (Status st = send_with_fds(sock, text, fds); !st) {
            return make_error(st.error().code, "passing seccomp listeners");
        }
    }
    return Ok{};
}

std::optional<std::vector<seccomp::KeptListener>> take_listeners(ChannelDatagram& d) {
    std::string_view text = d.text;
    if (!text.starts_with(kHeader)) {
        return std::nullopt;
    }
    text.remove_prefix(kHeader.size());
    std::vector<seccomp::KeptListener> out;
    std::size_t i = 0;
    while (!text.empty() && i < d.fds.size()) {
        auto [line, rest] = split_first(text, '\n');
        text = rest;
        auto [key, id] = split_first(line, ' ');
        auto k = parse_u64(key);
        UniqueFd fd = std::move(d.fds[i++]);
        if (k && *k > 1 && !id.empty()) {
            out.push_back(seccomp::KeptListener{*k, std::string(id), std::move(fd)});
        }
    }
    return out;
}

} // namespace lensfs::daemon
